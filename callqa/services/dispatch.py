"""Handing calls to the broker when `CALLQA_BROKER_URL` is set: one task per call, sent after
its row is committed. A call the broker did not take (it was down) stays `queued` with no
`enqueued_at`, and the scheduler's sweep sends it later, as it sends again a call whose task
the broker lost and one whose worker died on it; `requeue` sends calls back.

Without a broker every function here leaves the calls to the embedded worker (`callqa process`),
which finds queued calls in the database by itself."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from callqa.models import Call, CallStatus, utcnow
from callqa.models.call import error_columns
from callqa.services.claims import abandoned
from callqa.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")
REQUEUE_STATUSES = ("failed", "stale")


class BrokerUnusable(Exception):
    """The broker settings cannot work (SQLite with a broker, an unknown scheme, no Celery)."""


def check_broker(settings: Settings) -> None:
    """Raise BrokerUnusable, with the reason, for a broker these settings cannot use."""
    if not settings.uses_broker:
        return
    scheme = settings.broker_url.split("://", 1)[0].lower()
    if scheme not in BROKER_SCHEMES:
        raise BrokerUnusable(f"CALLQA_BROKER_URL: {scheme}:// is not a supported broker; "
                             "use redis://… (Redis) or amqp://… (RabbitMQ)")
    if settings.db_url.startswith("sqlite"):
        raise BrokerUnusable(
            "CALLQA_BROKER_URL is set but the database is SQLite: Celery workers run on other "
            "machines and in many processes, and a SQLite file can be neither shared over the "
            "network nor written by many processes at once; set CALLQA_DATABASE_URL to "
            "PostgreSQL (postgresql+psycopg://…), or unset CALLQA_BROKER_URL to use the "
            "embedded worker (callqa process)")
    try:
        import celery  # noqa: F401
    except ImportError as exc:
        raise BrokerUnusable("CALLQA_BROKER_URL is set but Celery is not installed: "
                             "pip install 'celery[redis]'") from exc


@lru_cache(maxsize=4)
def _producer(settings: Settings) -> Celery:
    from callqa.services.celery_app import make_celery

    return make_celery(settings)


def celery_app(settings: Settings) -> Celery:
    """The Celery app for these settings, made once per process."""
    check_broker(settings)
    return _producer(settings)


def enqueue(sessions: sessionmaker[Session], settings: Settings, call_ids: list[int]) -> list[int]:
    """Send a task for each call to the broker; the calls sent, whose `enqueued_at` is set.
    A broker that cannot be reached is logged, not raised: its calls stay queued for the sweep."""
    if not settings.uses_broker or not call_ids:
        return []
    from callqa.services.celery_app import TASK

    app = celery_app(settings)
    sent: list[int] = []
    try:
        for call_id in call_ids:
            app.send_task(TASK, args=[call_id], queue=settings.celery_queue, retry=True,
                          retry_policy={"max_retries": 1, "interval_start": 0.2,
                                        "interval_step": 0.5})
            sent.append(call_id)
    except Exception as exc:  # any transport's connection error: the sweep sends them later
        log.warning("broker %s unreachable (%s: %s): %d calls stay queued for the sweep",
                    _safe_url(settings.broker_url), type(exc).__name__, exc,
                    len(call_ids) - len(sent))
    if sent:
        with sessions.begin() as session:
            session.execute(update(Call).where(Call.id.in_(sent)).values(enqueued_at=utcnow())
                            .execution_options(synchronize_session=False))
    return sent


def _safe_url(url: str) -> str:
    """The URL without a password."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://…@{rest.rsplit('@', 1)[1]}"


@dataclass(frozen=True)
class Resend:
    """Calls the sweep sends to the broker again, and why."""

    reason: str
    call_ids: list[int]


def unsent(session: Session, settings: Settings, depth: int | None = None) -> list[Resend]:
    """Calls the broker has no task for, by reason: queued ones never handed to it, older than
    `sweep_after_s` (a younger one may be on its way from ingest); queued ones sent longer
    than `resend_after_s` ago that its queue cannot hold any more, `depth` being the tasks
    waiting there (None, not known: none of these); and calls in a worker's hands whose
    heartbeat stopped (`claims.abandoned`: transcribing, or transcribed but not scored)
    without the broker handing their task on (e.g. killed at the hard time limit), not sent
    again since."""
    now = utcnow()
    stale = now - timedelta(seconds=settings.stale_claim_s)
    resends = [
        Resend("queued, never handed to the broker (it was down at ingest)", _ids(session, and_(
            Call.status == CallStatus.QUEUED, Call.enqueued_at.is_(None),
            Call.created_at < now - timedelta(seconds=settings.sweep_after_s)))),
        Resend(f"queued, sent over {settings.resend_after_s:g} s ago and no longer in the "
               f"broker's queue ({depth} tasks wait there): the broker lost it (restarted "
               "without persistence, queue purged or deleted)", _lost(session, settings, depth)),
    ]
    for status, state in ((CallStatus.TRANSCRIBING, "while transcribing it"),
                          (CallStatus.TRANSCRIBED, "after storing its transcript, before "
                           "scoring (scored from it, not transcribed again)")):
        resends.append(Resend(f"its worker stopped {state}", _ids(session, and_(
            abandoned(stale), Call.status == status,
            or_(Call.enqueued_at.is_(None), Call.enqueued_at < stale)))))
    return [resend for resend in resends if resend.call_ids]


def _ids(session: Session, condition) -> list[int]:
    return list(session.scalars(select(Call.id).where(condition).order_by(Call.id)).all())


def _sent_before(settings: Settings):
    return and_(Call.status == CallStatus.QUEUED, Call.enqueued_at.is_not(None),
                Call.enqueued_at < utcnow() - timedelta(seconds=settings.resend_after_s))


def _lost(session: Session, settings: Settings, depth: int | None) -> list[int]:
    """Queued calls sent long ago whose task is not in the broker's queue. The queue hands out
    its tasks oldest first, so the `depth` still waiting there are at most the newest sent:
    the calls sent before them are not in it (a task a worker has taken claims its call, which
    is no longer queued)."""
    if depth is None:
        return []
    ids = list(session.scalars(select(Call.id).where(_sent_before(settings))
                               .order_by(Call.enqueued_at, Call.id)).all())
    return sorted(ids[:max(0, len(ids) - depth)])


def sweep(sessions: sessionmaker[Session], settings: Settings) -> str:
    """The scheduler's job: send the calls the broker never got, lost, or whose worker died."""
    if not settings.uses_broker:
        return "no broker: the embedded worker finds queued calls itself"
    with sessions() as session:
        sent_long_ago = session.scalar(select(Call.id).where(_sent_before(settings)).limit(1))
    depth = None if sent_long_ago is None else broker_queue_depth(settings)
    with sessions() as session:
        resends = unsent(session, settings, depth)
    total, sent = 0, 0
    for resend in resends:
        done = enqueue(sessions, settings, resend.call_ids)
        total, sent = total + len(resend.call_ids), sent + len(done)
        if done:
            log.info("sweep: sent call%s %s to the broker again: %s",
                     "" if len(done) == 1 else "s", ", ".join(map(str, done)), resend.reason)
    summary = f"{sent} of {total} unsent calls sent to the broker"
    return "; ".join([summary, *(f"{len(r.call_ids)} {r.reason}" for r in resends)])


def _requeue_condition(settings: Settings, status: str):
    if status not in REQUEUE_STATUSES:
        raise ValueError(f"requeue: {status!r} is not one of {', '.join(REQUEUE_STATUSES)}")
    if status == "failed":
        condition = Call.status == CallStatus.FAILED
    else:
        condition = or_(
            and_(Call.status == CallStatus.TRANSCRIBING,
                 Call.heartbeat_at < utcnow() - timedelta(seconds=settings.stale_claim_s)),
            and_(Call.status == CallStatus.QUEUED, Call.enqueued_at.is_(None)),
        )
    return and_(condition, Call.storage_name.is_not(None))  # a recording to process


def requeueable(session: Session, settings: Settings, status: str) -> int:
    """How many calls `requeue` would send back for `status`."""
    count = session.scalar(select(func.count(Call.id)).where(_requeue_condition(settings, status)))
    return count or 0


def requeue(sessions: sessionmaker[Session], settings: Settings, status: str,
            call_ids: list[int] | None = None) -> list[int]:
    """Send calls back to the queue: `failed` ones, or `stale` ones (transcribing under a claim
    whose heartbeat stopped, or queued but never handed to the broker). Their attempts start
    again; with a broker they are enqueued at once. Returns the calls requeued."""
    condition = _requeue_condition(settings, status)
    query = select(Call.id).where(condition)
    if call_ids is not None:
        query = query.where(Call.id.in_(call_ids))
    with sessions.begin() as session:
        ids = list(session.scalars(query.order_by(Call.id).with_for_update()).all())
        if ids:
            session.execute(
                update(Call).where(Call.id.in_(ids), condition)
                .values(status=CallStatus.QUEUED, attempts=0, claim_token=None, claim_task=None,
                        heartbeat_at=None, enqueued_at=None, **error_columns(None))
                .execution_options(synchronize_session=False))
    enqueue(sessions, settings, ids)
    return ids


def broker_queue_depth(settings: Settings) -> int | None:
    """Tasks waiting in the broker's queue, or None (no broker, or it cannot be asked now)."""
    if not settings.uses_broker:
        return None
    try:
        app = celery_app(settings)
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
            channel = connection.channel()
            try:
                return channel.queue_declare(queue=settings.celery_queue, passive=True
                                             ).message_count
            finally:
                channel.close()
    except Exception as exc:
        if _no_such_queue(exc):  # deleted (RabbitMQ): whatever it held is gone
            return 0
        log.info("queue depth of %s unknown: %s: %s", settings.celery_queue,
                 type(exc).__name__, exc)
        return None


def _no_such_queue(exc: Exception) -> bool:
    """A passive declare's answer that the queue does not exist (AMQP's 404 NOT_FOUND)."""
    return getattr(exc, "code", None) == 404 or "NOT_FOUND" in str(exc)

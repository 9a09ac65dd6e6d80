"""Claiming queued calls so that no call is processed twice at once, on SQLite or PostgreSQL.

A claim is a conditional UPDATE that sets a fresh token; whoever's token is on the row owns
the call. A call whose heartbeat went stale (its worker was killed) can be claimed again.

The embedded worker claims the oldest claimable call (`claim_next`); a Celery task claims the
call it was sent for (`claim_call`), also when an earlier delivery of that same task holds the
claim (the worker checks first that the earlier delivery is gone: its heartbeat stopped).
Either way a new token is set, so an old owner that still runs can no longer heartbeat or
store: two deliveries never both store.

A call is in a worker's hands while `transcribing` and while `transcribed` (stored, not yet
scored). One whose heartbeat stopped there was abandoned (its worker died) and is claimed
again: a `transcribed` one keeps its status, and its new owner scores the stored transcript
instead of transcribing the recording again (`Claim.transcribed`).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.orm import Session

from callqa.models import Call, CallStatus, utcnow
from callqa.models.call import error_columns
from callqa.models.db import affected_rows
from callqa.qa.messages import N_, Message

IN_WORK = (CallStatus.TRANSCRIBING, CallStatus.TRANSCRIBED)  # claimed: in a worker's hands


@dataclass(frozen=True)
class Claim:
    call_id: int
    token: str
    attempt: int
    transcribed: bool = False  # its transcript is stored already: only scoring is left


def abandoned(cutoff: datetime):
    """In a worker's hands with no heartbeat since `cutoff` (its worker died), or transcribed
    and handed back before scoring (its worker stopped: `release`)."""
    return or_(
        and_(Call.status.in_(IN_WORK), Call.heartbeat_at < cutoff),
        and_(Call.status == CallStatus.TRANSCRIBED, Call.claim_token.is_(None),
             Call.heartbeat_at.is_not(None)),  # an imported transcript never had a claim
    )


def _claimable(cutoff: datetime):
    return or_(Call.status == CallStatus.QUEUED, abandoned(cutoff))


def _claimed_status():
    """A claim keeps `transcribed` (the transcript is stored), anything else is transcribing."""
    return case((Call.status == CallStatus.TRANSCRIBED, CallStatus.TRANSCRIBED),
                else_=CallStatus.TRANSCRIBING)


def _claim_by_token(session: Session, call_id: int, token: str) -> Claim:
    attempt, status = session.execute(
        select(Call.attempts, Call.status).where(Call.claim_token == token)).one()
    return Claim(call_id, token, attempt, status == CallStatus.TRANSCRIBED)


def give_up_on_stale(session: Session, stale_after_s: float, max_attempts: int) -> int:
    """Fail calls whose worker died on each of their `max_attempts` tries."""
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    result = session.execute(
        update(Call)
        .where(abandoned(cutoff), Call.attempts >= max_attempts)
        .values(status=CallStatus.FAILED, claim_token=None,
                **error_columns(Message(
                    N_("gave up after %(attempts)s attempts: the worker stopped during each"),
                    {"attempts": max_attempts})))
    )
    return affected_rows(result)


def claim_next(session: Session, stale_after_s: float, retries: int = 5,
               worker: str | None = None) -> Claim | None:
    """Claim the oldest claimable call, or None. The caller commits."""
    for _ in range(retries):
        now = utcnow()
        condition = _claimable(now - timedelta(seconds=stale_after_s))
        candidate = (
            select(Call.id).where(condition).order_by(Call.id).limit(1)
            .with_for_update(skip_locked=True).scalar_subquery()
        )
        token = str(uuid.uuid4())
        result = session.execute(
            update(Call)
            .where(Call.id == candidate, condition)  # re-checked after any row lock wait
            .values(status=_claimed_status(), claim_token=token, heartbeat_at=now,
                    attempts=Call.attempts + 1, claim_task=None, worker=worker,
                    **error_columns(None))
            .execution_options(synchronize_session=False)
        )
        if affected_rows(result) == 1:
            call_id = session.scalar(select(Call.id).where(Call.claim_token == token))
            assert call_id is not None  # just set, in this transaction
            return _claim_by_token(session, call_id, token)
        if session.scalar(select(Call.id).where(condition).limit(1)) is None:
            return None
    return None


def _claimable_by_task(task_id: str, cutoff: datetime):
    """Queued, or in work under a claim that is stale or an earlier delivery's of this task."""
    return or_(
        Call.status == CallStatus.QUEUED,
        abandoned(cutoff),
        and_(Call.status.in_(IN_WORK), Call.claim_task == task_id),
    )


def earlier_delivery_heartbeat(session: Session, call_id: int, task_id: str,
                               stale_after_s: float) -> datetime | None:
    """The last heartbeat of an earlier delivery of task `task_id` holding call `call_id`, if
    it is not stale; None if no such delivery holds the call."""
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    return session.scalar(select(Call.heartbeat_at).where(
        Call.id == call_id, Call.status.in_(IN_WORK), Call.claim_task == task_id,
        Call.claim_token.is_not(None), Call.heartbeat_at >= cutoff))


def give_up_on_dead_deliveries(
    session: Session, call_id: int, task_id: str, stale_after_s: float, max_attempts: int
) -> bool:
    """Fail the call if the worker died on each of its `max_attempts` deliveries (a recording
    that kills its worker every time); True if it did. The caller commits."""
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    result = session.execute(
        update(Call)
        .where(Call.id == call_id, Call.status.in_(IN_WORK),
               or_(Call.heartbeat_at < cutoff, Call.claim_task == task_id),
               Call.attempts >= max_attempts)
        .values(status=CallStatus.FAILED, claim_token=None,
                **error_columns(Message(
                    N_("gave up after %(attempts)s attempts: the worker stopped during each"),
                    {"attempts": max_attempts})))
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result) == 1


def claim_call(
    session: Session, call_id: int, task_id: str, stale_after_s: float,
    worker: str | None = None,
) -> Claim | None:
    """Claim call `call_id` for a delivery of task `task_id`, or None: the call is done, failed,
    or another task's live claim holds it. The caller commits."""
    now = utcnow()
    token = str(uuid.uuid4())
    claimable = _claimable_by_task(task_id, now - timedelta(seconds=stale_after_s))
    result = session.execute(
        update(Call)
        .where(Call.id == call_id, claimable)
        .values(status=_claimed_status(), claim_token=token, heartbeat_at=now,
                attempts=Call.attempts + 1, claim_task=task_id, worker=worker,
                **error_columns(None))
        .execution_options(synchronize_session=False)
    )
    if affected_rows(result) != 1:
        return None
    return _claim_by_token(session, call_id, token)


def heartbeat(session: Session, claim: Claim) -> bool:
    """Keep the claim alive; False if another worker took the call over."""
    result = session.execute(
        update(Call).where(Call.id == claim.call_id, Call.claim_token == claim.token)
        .values(heartbeat_at=utcnow()).execution_options(synchronize_session=False)
    )
    return affected_rows(result) == 1


def owned_call(session: Session, claim: Claim) -> Call | None:
    """The call, locked, if this claim still owns it."""
    return session.scalar(
        select(Call).where(Call.id == claim.call_id, Call.claim_token == claim.token)
        .with_for_update()
    )


def release(session: Session, claim: Claim) -> None:
    """Hand an unfinished call back (the worker is stopping): to the queue, or, transcribed,
    to whoever scores it next."""
    session.execute(
        update(Call).where(Call.id == claim.call_id, Call.claim_token == claim.token)
        .values(status=case((Call.status == CallStatus.TRANSCRIBED, CallStatus.TRANSCRIBED),
                            else_=CallStatus.QUEUED),
                claim_token=None, attempts=Call.attempts - 1)
        .execution_options(synchronize_session=False)
    )

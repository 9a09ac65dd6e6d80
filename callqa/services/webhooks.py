"""Webhook deliveries: an outbox row per webhook is written in the transaction that scores a
call, and sent afterwards, outside any transaction, by a background thread of the worker (or
`callqa webhooks deliver`). A receiver that is down, slow or wrong never blocks or breaks
scoring: the attempt is recorded and retried with backoff, then given up as failed."""
from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from callqa.models import (
    ApiToken,
    Call,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
    utcnow,
)
from callqa.models.db import affected_rows
from callqa.qa.signing import signature
from callqa.services.integrations import EVENT_CALL_SCORED, token_agent_ids
from callqa.settings import Settings

__all__ = ["DeliveryResult", "DeliveryRun", "DeliveryThread", "call_scored_payload", "deliver_due",
           "enqueue_call_scored"]

log = logging.getLogger(__name__)
_RETRY_S = (30, 120, 600, 1800, 3600)  # after the 1st, 2nd, ... failed attempt; then 1 h
_SENDING_S = 300  # a delivery being sent is not due again for this long (a sender that died)


def call_scored_payload(call: Call) -> dict[str, Any]:
    """What a receiver gets when a call is scored: enough to act on, and where to read more."""
    score = call.score
    return {
        "event": EVENT_CALL_SCORED,
        "call_id": call.id,
        "external_id": call.external_id,
        "status": str(call.status),
        "score": score.score if score else None,
        "needs_review": score.needs_review if score else None,
        "flagged": score.flagged if score else None,
        "fcr_status": str(call.fcr.status) if call.fcr else None,
        "test_call": call.test_call,
        "scored_at": score.scored_at.isoformat() if score else None,
        "scorecard_url": f"/api/v1/calls/{call.id}/scorecard",
    }


def enqueue_call_scored(session: Session, call: Call) -> int:
    """An outbox row per active webhook of an active token that sees the call (a token scoped
    to teams sees only their agents' calls); how many. In the caller's transaction, so a
    delivery exists exactly when the score does."""
    webhooks = session.scalars(
        select(Webhook).join(ApiToken, ApiToken.id == Webhook.token_id)
        .where(Webhook.active.is_(True), ApiToken.revoked_at.is_(None))).all()
    payload = call_scored_payload(call)
    wanted = [w for w in webhooks if EVENT_CALL_SCORED in (w.events or ())
              and _sees(session, w.token, call)]
    for webhook in wanted:
        session.add(WebhookDelivery(webhook_id=webhook.id, event=EVENT_CALL_SCORED,
                                    call_id=call.id, payload=payload))
    return len(wanted)


def _sees(session: Session, token: ApiToken, call: Call) -> bool:
    agents = token_agent_ids(session, token)
    return agents is None or call.agent_id in agents


@dataclass(frozen=True)
class DeliveryResult:
    delivery_id: int
    status: DeliveryStatus
    response_status: int | None
    error: str | None


@dataclass(frozen=True)
class DeliveryRun:
    """What one run of the scheduler's webhooks job sent."""

    results: list[DeliveryResult]

    def __str__(self) -> str:
        counts = {status: sum(1 for r in self.results if r.status == status)
                  for status in DeliveryStatus}
        return (f"{len(self.results)} webhook deliveries: {counts[DeliveryStatus.DELIVERED]} "
                f"delivered, {counts[DeliveryStatus.PENDING]} to retry, "
                f"{counts[DeliveryStatus.FAILED]} given up")


def deliver_due(sessions: sessionmaker[Session], settings: Settings, limit: int = 50,
                now: datetime | None = None) -> list[DeliveryResult]:
    """Send the deliveries that are due, each claimed first so two senders never send one."""
    results = []
    for delivery_id in _due_ids(sessions, limit, now or utcnow()):
        claimed = _claim(sessions, delivery_id)
        if claimed is not None:
            results.append(_send(sessions, settings, *claimed))
    return results


def _due_ids(sessions: sessionmaker[Session], limit: int, now: datetime) -> list[int]:
    with sessions() as session:
        return list(session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == DeliveryStatus.PENDING,
                   WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)))


def _claim(sessions: sessionmaker[Session], delivery_id: int
           ) -> tuple[int, str, str, bytes, int] | None:
    """(id, url, secret, body, attempt) of a delivery this sender now owns, by moving its
    next attempt ahead with a conditional update; None if another sender got it first."""
    with sessions.begin() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        claimed = affected_rows(session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id,
                   WebhookDelivery.next_attempt_at == delivery.next_attempt_at,
                   WebhookDelivery.status == DeliveryStatus.PENDING)
            .values(next_attempt_at=utcnow() + timedelta(seconds=_SENDING_S),
                    attempts=WebhookDelivery.attempts + 1)
            .execution_options(synchronize_session=False)))
        if not claimed:
            return None
        webhook = delivery.webhook
        body = json.dumps({"delivery_id": delivery.id, **delivery.payload},
                          ensure_ascii=False, sort_keys=True).encode()
        return delivery.id, webhook.url, webhook.secret, body, delivery.attempts + 1


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: it is recorded as a failed attempt."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _send(sessions: sessionmaker[Session], settings: Settings, delivery_id: int, url: str,
          secret: str, body: bytes, attempt: int) -> DeliveryResult:
    timestamp = int(time.time())
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "callqa-webhooks",
        "X-Callqa-Event": EVENT_CALL_SCORED, "X-Callqa-Delivery": str(delivery_id),
        "X-Callqa-Timestamp": str(timestamp),
        "X-Callqa-Signature": signature(secret, timestamp, body)})
    status: int | None = None
    error: str | None = None
    try:
        with _OPENER.open(request, timeout=settings.webhook_timeout_s) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code} {exc.reason}"
    except (OSError, ValueError) as exc:  # refused, timed out, no such host, bad URL
        error = f"{type(exc).__name__}: {exc}"
    if status is not None and not 200 <= status < 300 and error is None:
        error = f"HTTP {status}"
    return _record(sessions, settings, delivery_id, attempt, status, error)


def _record(sessions: sessionmaker[Session], settings: Settings, delivery_id: int,
            attempt: int, status: int | None, error: str | None) -> DeliveryResult:
    with sessions.begin() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None  # deliveries go only with their webhook, which stays
        delivery.response_status, delivery.last_error = status, error
        if error is None:
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, utcnow()
        elif attempt >= settings.webhook_max_attempts:
            delivery.status = DeliveryStatus.FAILED
        else:
            delay = _RETRY_S[min(attempt, len(_RETRY_S)) - 1]
            delivery.next_attempt_at = utcnow() + timedelta(seconds=delay)
        if error:
            log.warning("webhook delivery %s (attempt %s) failed: %s", delivery_id, attempt,
                        error)
        return DeliveryResult(delivery_id, delivery.status, status, error)


class DeliveryThread:
    """Sends due deliveries in the background of a worker: woken when a call is scored, and
    every `poll_s` for retries. Nothing it meets stops it or the worker."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings,
                 poll_s: float = 30.0) -> None:
        self.sessions, self.settings, self.poll_s = sessions, settings, poll_s
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def kick(self) -> None:
        """Send what is due now (starting the thread the first time)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
            self._thread.start()
        self._idle.clear()
        self._wake.set()

    def drain(self, timeout_s: float) -> bool:
        """Wait until what was due when last kicked is sent (or timed out); True if it was."""
        return self._thread is None or self._idle.wait(timeout_s)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(self.settings.webhook_timeout_s + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_s)
            self._wake.clear()
            try:
                while deliver_due(self.sessions, self.settings):
                    pass
            except Exception:  # the database away for a moment: try again at the next poll
                log.exception("webhook deliveries")
            if not self._wake.is_set():
                self._idle.set()

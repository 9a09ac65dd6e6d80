"""Claiming queued calls so that no call is processed twice at once, on SQLite or PostgreSQL.

A claim is a conditional UPDATE that sets a fresh token; whoever's token is on the row owns
the call. A call whose heartbeat went stale (its worker was killed) can be claimed again.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from callqa.models import Call, CallStatus, utcnow
from callqa.models.call import error_columns
from callqa.models.db import affected_rows
from callqa.qa.messages import N_, Message


@dataclass(frozen=True)
class Claim:
    call_id: int
    token: str
    attempt: int


def _claimable(cutoff: datetime):
    return or_(
        Call.status == CallStatus.QUEUED,
        and_(Call.status == CallStatus.TRANSCRIBING, Call.heartbeat_at < cutoff),
    )


def give_up_on_stale(session: Session, stale_after_s: float, max_attempts: int) -> int:
    """Fail calls whose worker died on each of their `max_attempts` tries."""
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    result = session.execute(
        update(Call)
        .where(Call.status == CallStatus.TRANSCRIBING, Call.heartbeat_at < cutoff,
               Call.attempts >= max_attempts)
        .values(status=CallStatus.FAILED, claim_token=None,
                **error_columns(Message(
                    N_("gave up after %(attempts)s attempts: the worker stopped during each"),
                    {"attempts": max_attempts})))
    )
    return affected_rows(result)


def claim_next(session: Session, stale_after_s: float, retries: int = 5) -> Claim | None:
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
            .values(status=CallStatus.TRANSCRIBING, claim_token=token, heartbeat_at=now,
                    attempts=Call.attempts + 1, **error_columns(None))
            .execution_options(synchronize_session=False)
        )
        if affected_rows(result) == 1:
            call_id, attempt = session.execute(
                select(Call.id, Call.attempts).where(Call.claim_token == token)
            ).one()
            return Claim(call_id, token, attempt)
        if session.scalar(select(Call.id).where(condition).limit(1)) is None:
            return None
    return None


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
    """Hand an unfinished call back to the queue (the worker is stopping)."""
    session.execute(
        update(Call).where(Call.id == claim.call_id, Call.claim_token == claim.token)
        .values(status=CallStatus.QUEUED, claim_token=None, attempts=Call.attempts - 1)
        .execution_options(synchronize_session=False)
    )

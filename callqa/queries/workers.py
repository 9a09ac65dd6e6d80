"""Whether any processing worker runs: when one was last seen, polling for calls
(workers_seen) or beating for the call it works on (a call's heartbeat)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callqa.models import Call, CallStatus, WorkerSeen, utcnow


def worker_last_seen(session: Session) -> datetime | None:
    polled = session.scalar(select(func.max(WorkerSeen.seen_at)))
    working = session.scalar(select(func.max(Call.heartbeat_at))
                             .where(Call.status == CallStatus.TRANSCRIBING))
    seen = [moment for moment in (polled, working) if moment is not None]
    return max(seen) if seen else None


def no_worker_since(session: Session, recent_s: float) -> tuple[bool, datetime | None]:
    """(True, when one was last seen or None for never) if none was seen in `recent_s`."""
    seen = worker_last_seen(session)
    return (seen is None or utcnow() - seen > timedelta(seconds=recent_s)), seen

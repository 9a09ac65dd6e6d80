"""Worker processes: the Workers page (processes as they report themselves, and the queue's
depth), and whether any processing worker runs at all (when a running one was last seen, by
its own heartbeat or the one for the call it works on)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callqa.models import Call, CallStatus, WorkerProcess, utcnow

LIVE_HEARTBEATS = 3  # a worker silent for this many heartbeats is shown as gone


@dataclass(frozen=True)
class WorkerRow:
    id: str
    host: str
    pid: int
    kind: str
    engine: str | None
    started_at: datetime
    last_seen_at: datetime
    stopped_at: datetime | None
    deliveries: int
    calls_done: int
    current_call_id: int | None
    alive: bool  # seen within three heartbeats and not stopped


def worker_rows(session: Session, heartbeat_s: float, limit: int = 200) -> list[WorkerRow]:
    """Workers, most recently seen first."""
    now = utcnow()
    rows = session.scalars(select(WorkerProcess).order_by(WorkerProcess.last_seen_at.desc())
                           .limit(limit)).all()
    return [WorkerRow(r.id, r.host, r.pid, str(r.kind), r.engine, r.started_at, r.last_seen_at,
                      r.stopped_at, r.deliveries, r.calls_done, r.current_call_id,
                      r.stopped_at is None
                      and (now - r.last_seen_at).total_seconds() <= LIVE_HEARTBEATS * heartbeat_s)
            for r in rows]


def status_counts(session: Session) -> dict[str, int]:
    """How many calls are queued, transcribing, ... (the database's side of the queue depth)."""
    return {str(status): count for status, count in
            session.execute(select(Call.status, func.count()).group_by(Call.status)).all()}


def worker_last_seen(session: Session) -> datetime | None:
    """The latest heartbeat of a worker process that has not said it stopped, or of a call
    being transcribed; None if there is neither."""
    running = session.scalar(select(func.max(WorkerProcess.last_seen_at))
                             .where(WorkerProcess.stopped_at.is_(None)))
    working = session.scalar(select(func.max(Call.heartbeat_at))
                             .where(Call.status == CallStatus.TRANSCRIBING))
    seen = [moment for moment in (running, working) if moment is not None]
    return max(seen) if seen else None


def no_worker_since(session: Session, recent_s: float) -> tuple[bool, datetime | None]:
    """(True, when one was last seen or None for never) if none was seen in `recent_s`."""
    seen = worker_last_seen(session)
    return (seen is None or utcnow() - seen > timedelta(seconds=recent_s)), seen

"""The Workers page: worker processes as they report themselves, and the queue's depth."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callqa.models import Call, WorkerProcess, utcnow

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

"""FCR rates by agent, queue or period, with counts; for the command line and the UI."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.models import Agent, Call, FcrResult, Queue

GROUPINGS = ("agent", "queue", "day", "week", "month")


def fcr_rate(fcr: int, not_fcr: int) -> float | None:
    """FCR share of the decided calls; pending calls are not decided yet."""
    decided = fcr + not_fcr
    return fcr / decided if decided else None


@dataclass
class FcrRow:
    group: str
    calls: int = 0
    fcr: int = 0
    not_fcr: int = 0
    pending: int = 0

    @property
    def rate(self) -> float | None:
        rate = fcr_rate(self.fcr, self.not_fcr)
        return None if rate is None else round(rate, 4)

    def to_dict(self) -> dict[str, object]:
        return {"group": self.group, "calls": self.calls, "fcr": self.fcr,
                "not_fcr": self.not_fcr, "pending": self.pending, "rate": self.rate}


def fcr_report(
    session: Session, by: str, start: date | None = None, end: date | None = None
) -> list[FcrRow]:
    """Rows per group, then a total row; `start` and `end` bound the call date (inclusive)."""
    if by not in GROUPINGS:
        raise ValueError(f"group by one of {', '.join(GROUPINGS)}")
    query = (
        select(FcrResult.status, Call.started_at, Agent.name, Agent.external_id, Queue.name)
        .join(Call, Call.id == FcrResult.call_id)
        .outerjoin(Agent, Agent.id == Call.agent_id)
        .outerjoin(Queue, Queue.id == Call.queue_id)
    )
    rows: dict[str, FcrRow] = defaultdict(lambda: FcrRow(""))
    total = FcrRow("total")
    for status, started_at, agent_name, agent_id, queue_name in session.execute(query):
        day = started_at.date() if started_at else None
        if (start and (day is None or day < start)) or (end and (day is None or day > end)):
            continue
        key = _group(by, started_at, agent_name, agent_id, queue_name)
        for row in (rows[key], total):
            row.calls += 1
            setattr(row, status, getattr(row, status) + 1)
    ordered = [_named(key, row) for key, row in sorted(rows.items())]
    return ordered + [total]


def _named(key: str, row: FcrRow) -> FcrRow:
    row.group = key
    return row


def _group(by: str, started_at: datetime | None, agent_name: str | None,
           agent_id: str | None, queue_name: str | None) -> str:
    if by == "agent":
        return f"{agent_name} ({agent_id})" if agent_id else "(no agent)"
    if by == "queue":
        return queue_name or "(no queue)"
    if started_at is None:
        return "(no date)"
    day = started_at.date()
    if by == "day":
        return day.isoformat()
    if by == "week":
        monday = day - timedelta(days=day.weekday())
        return f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
    return f"{day.year}-{day.month:02d}"

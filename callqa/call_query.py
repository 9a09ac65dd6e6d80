"""The filtered, sorted, paginated call list: one query for the UI list, CSV export and the
list benchmark."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session, joinedload

from models import Agent, Call, CallScore, FcrResult, ItemResult, Queue

SORTS = {
    "started": Call.started_at,
    "score": CallScore.score,
    "agent": Agent.name,
    "queue": Queue.name,
    "duration": Call.duration_s,
    "status": Call.status,
}


@dataclass(frozen=True)
class CallFilters:
    agent_id: int | None = None  # agents.id; an agent user is always pinned to their own
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    queue_id: int | None = None
    language: str | None = None
    score_min: float | None = None
    score_max: float | None = None
    failed_item: str | None = None  # calls where this checklist item failed
    fcr_status: str | None = None
    reviewed: bool | None = None
    status: str | None = None  # processing status
    sort: str = "started"
    descending: bool = True

    @classmethod
    def from_args(cls, args: Any) -> CallFilters:
        """From request arguments (a Mapping of strings); bad values are ignored, not fatal."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = args.get(f.name)
            if raw in (None, ""):
                continue
            parsed = _parse(str(f.type), raw)
            if parsed is not None:
                values[f.name] = parsed
        if values.get("sort") not in SORTS:
            values.pop("sort", None)
        return cls(**values)


def _parse(kind: str, raw: str) -> Any:
    try:
        if "bool" in kind:
            return raw.lower() in ("1", "true", "yes", "on")
        if "int" in kind:
            return int(raw)
        if "float" in kind:
            return float(raw)
        if "date" in kind:
            return date.fromisoformat(raw)
    except ValueError:
        return None
    return raw


def call_list_query(filters: CallFilters, reviewed_column: Any = None) -> Select:
    """Calls matching `filters`, sorted; `reviewed_column` is a boolean SQL expression for
    "this call was reviewed" once reviews exist."""
    query = (
        select(Call)
        .outerjoin(CallScore, CallScore.call_id == Call.id)
        .outerjoin(Agent, Agent.id == Call.agent_id)
        .outerjoin(Queue, Queue.id == Call.queue_id)
        .outerjoin(FcrResult, FcrResult.call_id == Call.id)
        .options(joinedload(Call.agent), joinedload(Call.queue), joinedload(Call.score),
                 joinedload(Call.fcr))
    )
    for condition in _conditions(filters, reviewed_column):
        query = query.where(condition)
    column = SORTS.get(filters.sort, Call.started_at)
    order = column.desc().nulls_last() if filters.descending else column.asc().nulls_last()
    return query.order_by(order, Call.id.desc() if filters.descending else Call.id.asc())


def _conditions(filters: CallFilters, reviewed_column: Any) -> list[Any]:
    conditions = []
    if filters.agent_id is not None:
        conditions.append(Call.agent_id == filters.agent_id)
    if filters.queue_id is not None:
        conditions.append(Call.queue_id == filters.queue_id)
    if filters.date_from is not None:
        conditions.append(Call.started_at >= _start_of(filters.date_from))
    if filters.date_to is not None:
        conditions.append(Call.started_at < _start_of(filters.date_to + timedelta(days=1)))
    if filters.language:
        conditions.append(Call.language == filters.language)
    if filters.score_min is not None:
        conditions.append(CallScore.score >= filters.score_min)
    if filters.score_max is not None:
        conditions.append(CallScore.score <= filters.score_max)
    if filters.failed_item:
        conditions.append(exists().where(and_(
            ItemResult.call_id == Call.id, ItemResult.item_id == filters.failed_item,
            ItemResult.effective_verdict == "failed")))
    if filters.fcr_status:
        conditions.append(FcrResult.status == filters.fcr_status)
    if filters.status:
        conditions.append(Call.status == filters.status)
    if filters.reviewed is not None and reviewed_column is not None:
        conditions.append(reviewed_column if filters.reviewed else ~reviewed_column)
    return conditions


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class Page:
    calls: list[Call]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def call_page(session: Session, query: Select, page: int = 1, per_page: int = 50) -> Page:
    page, per_page = max(1, page), min(max(1, per_page), 500)
    total = session.scalar(select(func.count()).select_from(
        query.order_by(None).options().with_only_columns(Call.id).subquery()))
    calls = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(list(calls), total or 0, page, per_page)


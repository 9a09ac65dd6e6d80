"""The filtered, sorted, paginated call list: the UI list, the CSV export and the list
benchmark (scripts/bench_call_list.py: 100,000 calls) all read calls through here.

A page is found by ids first and loaded afterwards, and its ids come from two queries, the
calls that have a value of the sort key and then those that have none: so each is an index
range in the database's own NULL order, which differs between SQLite and PostgreSQL, where
one "NULLS LAST" query would sort every call on one of the two."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, get_type_hints

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from callqa.models import Agent, Call, CallScore, CallStatus, FcrResult, ItemResult, Queue
from callqa.qa.fcr.contacts import FcrStatus
from callqa.qa.scoring import Verdict
from callqa.settings import InvalidValue, parse_value


@dataclass(frozen=True)
class SortKey:
    """A column of calls, or of a table joined to them `on` a condition, to sort by."""

    column: Any
    table: Any = None
    on: Any = None
    tiebreak: Any = None  # Call.id, or the same value from where the key's index has it
    nullable: bool = True  # missing values (NULL, or no joined row) sort last either way

    def order(self, descending: bool) -> list[Any]:
        """Ties by id; NULLs where the database puts them, for rows that have none."""
        tiebreak = Call.id if self.tiebreak is None else self.tiebreak
        if descending:
            return [self.column.desc(), tiebreak.desc()]
        return [self.column.asc(), tiebreak.asc()]


SORT_KEYS = {
    "started": SortKey(Call.started_at),
    "score": SortKey(CallScore.score, CallScore, CallScore.call_id == Call.id,
                     tiebreak=CallScore.call_id),
    "agent": SortKey(Agent.name, Agent, Agent.id == Call.agent_id),
    "queue": SortKey(Queue.name, Queue, Queue.id == Call.queue_id),
    "duration": SortKey(Call.duration_s),
    "status": SortKey(Call.status, nullable=False),
}
SORTS = {name: key.column for name, key in SORT_KEYS.items()}


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
    fcr_status: FcrStatus | None = None
    reviewed: bool | None = None
    status: CallStatus | None = None  # processing status
    sort: str = "started"
    descending: bool = True

    @classmethod
    def from_args(cls, args: Any) -> CallFilters:
        """From request arguments (a Mapping of strings); bad values are ignored, not fatal."""
        types = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = args.get(f.name)
            if raw in (None, ""):
                continue
            try:
                values[f.name] = parse_value(types[f.name], raw, f.name)
            except InvalidValue:
                continue
        if values.get("sort") not in SORTS:
            values.pop("sort", None)
        return cls(**values)


def call_list_query(filters: CallFilters, reviewed_column: Any = None) -> Select:
    """Calls matching `filters`, sorted, with agent, queue, score and FCR loaded in the same
    query; `reviewed_column` is a boolean SQL expression for "this call was reviewed" once
    reviews exist. For reading every match (the CSV export); a page is `call_page`."""
    key = _sort_key(filters)
    query = _filtered(select(Call), filters, reviewed_column)
    if key.table is not None:
        query = query.outerjoin(key.table, key.on)
    first, tiebreak = SortKey(key.column).order(filters.descending)
    return _with_related(query).order_by(first.nulls_last(), tiebreak)


def _sort_key(filters: CallFilters) -> SortKey:
    return SORT_KEYS.get(filters.sort, SORT_KEYS["started"])


def _with_related(query: Select) -> Select:
    return query.options(joinedload(Call.agent), joinedload(Call.queue),
                         joinedload(Call.score), joinedload(Call.fcr))


def _filtered(query: Select, filters: CallFilters, reviewed_column: Any,
              counting: bool = False, score_joined: bool = False) -> Select:
    """`query` over calls narrowed to the matches. A filter on a call's score, FCR or
    checklist is a subquery: IN for a count, which reads the filter's own index once;
    EXISTS for a page, so SQLite walks the sort order checking each call and stops after
    the page, where an IN would fetch and sort every match first. With `score_joined`
    the query has joined CallScore and filters on it directly."""
    conditions = _call_conditions(filters, reviewed_column)
    if score_joined:
        conditions += _score_conditions(filters)
    for call_id, where in _related_conditions(filters, with_score=not score_joined):
        if counting:
            conditions.append(Call.id.in_(select(call_id).where(*where)))
        else:
            conditions.append(select(call_id).where(call_id == Call.id, *where)
                              .correlate(Call).exists())
    return query.where(*conditions)


def _call_conditions(filters: CallFilters, reviewed_column: Any) -> list[Any]:
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
    if filters.status:
        conditions.append(Call.status == filters.status)
    if filters.reviewed is not None and reviewed_column is not None:
        conditions.append(reviewed_column if filters.reviewed else ~reviewed_column)
    return conditions


def _related_conditions(filters: CallFilters, with_score: bool) -> list[tuple[Any, list[Any]]]:
    """(the call id column of a related table, conditions on that table) per filter."""
    related = []
    if with_score and _score_conditions(filters):
        related.append((CallScore.call_id, _score_conditions(filters)))
    if filters.failed_item:
        related.append((ItemResult.call_id, [ItemResult.item_id == filters.failed_item,
                                             ItemResult.effective_verdict == Verdict.FAILED]))
    if filters.fcr_status:
        related.append((FcrResult.call_id, [FcrResult.status == filters.fcr_status]))
    return related


def _score_conditions(filters: CallFilters) -> list[Any]:
    conditions = []
    if filters.score_min is not None:
        conditions.append(CallScore.score >= filters.score_min)
    if filters.score_max is not None:
        conditions.append(CallScore.score <= filters.score_max)
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


def call_page(session: Session, filters: CallFilters, page: int = 1, per_page: int = 50,
              reviewed_column: Any = None) -> Page:
    """One page of the calls matching `filters` and how many match in all."""
    page, per_page = max(1, page), min(max(1, per_page), 500)
    ids = page_ids(session, filters, (page - 1) * per_page, per_page, reviewed_column)
    return Page(calls_by_id(session, ids), count_calls(session, filters, reviewed_column),
                page, per_page)


def count_calls(session: Session, filters: CallFilters, reviewed_column: Any = None) -> int:
    query = _filtered(select(func.count()).select_from(Call), filters, reviewed_column,
                      counting=True)
    return session.scalar(query) or 0


def page_ids(session: Session, filters: CallFilters, offset: int, limit: int,
             reviewed_column: Any = None) -> list[int]:
    """The ids of one page in the list's order: the calls with a value of the sort key,
    then (from wherever they start on this page) those without one, by id."""
    key = _sort_key(filters)
    valued = _valued(select(Call.id), key, filters, reviewed_column)
    ids = list(session.scalars(
        valued.order_by(*key.order(filters.descending)).limit(limit).offset(offset)))
    if len(ids) == limit or not key.nullable or _no_missing_scores(key, filters):
        return ids
    if ids or offset == 0:
        missing_offset = 0
    else:  # past the calls with a value: how far past them
        missing_offset = offset - (session.scalar(_valued(
            select(func.count()).select_from(Call), key, filters, reviewed_column,
            counting=True)) or 0)
    missing = _filtered(select(Call.id), filters, reviewed_column).where(_missing(key))
    order = Call.id.desc() if filters.descending else Call.id.asc()
    return ids + list(session.scalars(
        missing.order_by(order).limit(limit - len(ids)).offset(missing_offset)))


def _valued(query: Select, key: SortKey, filters: CallFilters, reviewed_column: Any,
            counting: bool = False) -> Select:
    """The matching calls that have a value of `key` (joined to its table)."""
    if key.table is not None:
        query = query.join(key.table, key.on)
    query = _filtered(query, filters, reviewed_column, counting=counting,
                      score_joined=key.table is CallScore)
    return query.where(key.column.is_not(None)) if key.nullable else query


def _missing(key: SortKey) -> Any:
    if key.table is None:
        return key.column.is_(None)
    return ~select(key.column).where(key.on, key.column.is_not(None)).correlate(Call).exists()


def _no_missing_scores(key: SortKey, filters: CallFilters) -> bool:
    """A score range matches scored calls only."""
    return key.table is CallScore and bool(_score_conditions(filters))


def calls_by_id(session: Session, ids: list[int]) -> list[Call]:
    """These calls with their agent, queue, score and FCR, in the order of `ids`."""
    if not ids:
        return []
    calls = {call.id: call for call in session.scalars(
        _with_related(select(Call).where(Call.id.in_(ids)))).unique()}
    return [calls[i] for i in ids if i in calls]

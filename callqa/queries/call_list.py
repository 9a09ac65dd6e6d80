"""The filtered, sorted, paginated call list: the UI list (the supervisors' list, an agent's
"my calls") with its per-page extras, the CSV export and the list benchmark
(scripts/bench_call_list.py: 100,000 calls) all read calls through here.

A page is found by ids first and loaded afterwards, and its ids come from two queries, the
calls that have a value of the sort key and then those that have none: so each is an index
range in the database's own NULL order, which differs between SQLite and PostgreSQL, where
one "NULLS LAST" query would sort every call on one of the two."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, get_type_hints

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, joinedload

from callqa.models import (
    Agent,
    Call,
    CallReview,
    CallScore,
    CallStatus,
    Dispute,
    DisputeStatus,
    FcrResult,
    Feedback,
    ItemOverride,
    ItemResult,
    Queue,
)
from callqa.qa.fcr.contacts import FcrStatus
from callqa.qa.scoring import Verdict
from callqa.queries.arguments import Rejections, argument
from callqa.queries.scope import EVERYTHING, Scope

PER_PAGE = 50


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
    pending_review: bool | None = None  # the score waits on items only a person can decide
    status: CallStatus | None = None  # processing status
    test_call: bool | None = None  # mystery-shopper and manager calls (or none of them)
    sort: str = "started"
    descending: bool = True
    # the calls the user may see; never from request arguments
    scope: Scope = field(default=EVERYTHING, kw_only=True)

    @classmethod
    def from_args(cls, args: Any, rejected: Rejections | None = None) -> CallFilters:
        """From request arguments (a Mapping of strings); a value that does not read or is
        out of range is left out (and noted in `rejected`), not fatal."""
        types = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "scope":  # never from request arguments
                continue
            value = argument(args, f.name, types[f.name], rejected)
            if value is not None:
                values[f.name] = value
        if values.get("sort") not in SORTS:
            values.pop("sort", None)
        return cls(**values)


def call_list_query(filters: CallFilters) -> Select:
    """Calls matching `filters`, sorted, with agent, queue, score and FCR loaded in the same
    query. For reading every match (the CSV export); a page is `call_page`."""
    key = _sort_key(filters)
    query = _filtered(select(Call), filters)
    if key.table is not None:
        query = query.outerjoin(key.table, key.on)
    first, tiebreak = SortKey(key.column).order(filters.descending)
    return _with_related(query).order_by(first.nulls_last(), tiebreak)


def _sort_key(filters: CallFilters) -> SortKey:
    return SORT_KEYS.get(filters.sort, SORT_KEYS["started"])


def _with_related(query: Select) -> Select:
    return query.options(joinedload(Call.agent), joinedload(Call.queue),
                         joinedload(Call.score), joinedload(Call.fcr),
                         joinedload(Call.survey))


def _filtered(query: Select, filters: CallFilters, counting: bool = False,
              score_joined: bool = False) -> Select:
    """`query` over calls narrowed to the matches. A filter on a call's score, FCR or
    checklist is a subquery: IN for a count, which reads the filter's own index once;
    EXISTS for a page, so SQLite walks the sort order checking each call and stops after
    the page, where an IN would fetch and sort every match first. With `score_joined`
    the query has joined CallScore and filters on it directly."""
    conditions = _call_conditions(filters)
    if score_joined:
        conditions += _score_conditions(filters)
    for call_id, where in _related_conditions(filters, with_score=not score_joined):
        if counting:
            conditions.append(Call.id.in_(select(call_id).where(*where)))
        else:
            conditions.append(select(call_id).where(call_id == Call.id, *where)
                              .correlate(Call).exists())
    return query.where(*conditions)


def _call_conditions(filters: CallFilters) -> list[Any]:
    conditions = filters.scope.conditions()
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
    if filters.test_call is not None:
        conditions.append(Call.test_call.is_(filters.test_call))
    if filters.reviewed is not None:
        conditions.append(reviewed_column() if filters.reviewed else ~reviewed_column())
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
    if filters.pending_review is not None:
        conditions.append(CallScore.needs_review.is_(filters.pending_review))
    return conditions


def reviewed_column() -> Any:
    """True for a call that a supervisor marked reviewed."""
    return exists().where(CallReview.call_id == Call.id)


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


def call_page(session: Session, filters: CallFilters, page: int = 1,
              per_page: int = PER_PAGE) -> Page:
    """One page of the calls matching `filters` and how many match in all."""
    page, per_page = max(1, page), min(max(1, per_page), 500)
    ids = page_ids(session, filters, (page - 1) * per_page, per_page)
    return Page(calls_by_id(session, ids), count_calls(session, filters), page, per_page)


def count_calls(session: Session, filters: CallFilters) -> int:
    query = _filtered(select(func.count()).select_from(Call), filters, counting=True)
    return session.scalar(query) or 0


def page_ids(session: Session, filters: CallFilters, offset: int, limit: int) -> list[int]:
    """The ids of one page in the list's order: the calls with a value of the sort key,
    then (from wherever they start on this page) those without one, by id."""
    key = _sort_key(filters)
    valued = _valued(select(Call.id), key, filters)
    ids = list(session.scalars(
        valued.order_by(*key.order(filters.descending)).limit(limit).offset(offset)))
    if len(ids) == limit or not key.nullable or _no_missing_scores(key, filters):
        return ids
    if ids or offset == 0:
        missing_offset = 0
    else:  # past the calls with a value: how far past them
        missing_offset = offset - (session.scalar(_valued(
            select(func.count()).select_from(Call), key, filters, counting=True)) or 0)
    missing = _filtered(select(Call.id), filters).where(_missing(key))
    order = Call.id.desc() if filters.descending else Call.id.asc()
    return ids + list(session.scalars(
        missing.order_by(order).limit(limit - len(ids)).offset(missing_offset)))


def _valued(query: Select, key: SortKey, filters: CallFilters,
            counting: bool = False) -> Select:
    """The matching calls that have a value of `key` (joined to its table)."""
    if key.table is not None:
        query = query.join(key.table, key.on)
    query = _filtered(query, filters, counting=counting, score_joined=key.table is CallScore)
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


@dataclass
class CallList:
    """One page of the list and, for its calls: which are reviewed, which have an overridden
    item, which an open dispute; their feedback."""

    filters: CallFilters
    page: Page
    reviewed: set[int]
    overridden: set[int]
    open_disputes: set[int]
    feedback: dict[int, list[Feedback]]

    @classmethod
    def empty(cls, filters: CallFilters, per_page: int = PER_PAGE) -> CallList:
        return cls(filters, Page([], 0, 1, per_page), set(), set(), set(), {})


def call_list(session: Session, filters: CallFilters, page: int = 1,
              per_page: int = PER_PAGE) -> CallList:
    found = call_page(session, filters, page, per_page)
    return CallList(filters, found, *page_extras(session, [call.id for call in found.calls]))


Extras = tuple[set[int], set[int], set[int], dict[int, list[Feedback]]]


def page_extras(session: Session, ids: list[int]) -> Extras:
    """For these calls: reviewed, overridden, with an open dispute; their feedback."""
    if not ids:
        return set(), set(), set(), {}
    reviewed = set(session.scalars(select(CallReview.call_id).where(CallReview.call_id.in_(ids))))
    overridden = set(session.scalars(
        select(ItemOverride.call_id).where(ItemOverride.call_id.in_(ids)).distinct()))
    disputed = set(session.scalars(select(Dispute.call_id).where(
        Dispute.call_id.in_(ids), Dispute.status == DisputeStatus.OPEN).distinct()))
    feedback: dict[int, list[Feedback]] = {}
    for row in session.scalars(
            select(Feedback).where(Feedback.call_id.in_(ids)).order_by(Feedback.id)):
        feedback.setdefault(row.call_id, []).append(row)
    return reviewed, overridden, disputed, feedback


def calls_before(session: Session, filters: CallFilters, before_id: int | None,
                 limit: int) -> tuple[list[Call], bool]:
    """Up to `limit` matching calls, newest (highest id) first, older than `before_id`: a
    keyset page, stable while calls come in; and whether more follow."""
    query = _filtered(select(Call.id), filters)
    if before_id is not None:
        query = query.where(Call.id < before_id)
    ids = list(session.scalars(query.order_by(Call.id.desc()).limit(limit + 1)))
    return calls_by_id(session, ids[:limit]), len(ids) > limit

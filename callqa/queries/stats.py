"""The statistics over stored calls, for the supervisors' dashboard and for `callqa report`:
mean score per agent and period, pass rate per checklist item, FCR rate by agent, queue or
period (one function, `fcr_rates`, for both).

Everything is aggregated in SQL with GROUP BY, so Python reads grouped rows (at most one per
group, UTC day and status), never the calls themselves: figures by period are counted per UTC
day, and days are folded into weeks or months here, with one period scheme for every figure
(`period_start`, `period_label`: 2026-11-02, 2026-W45, 2026-11). Days are UTC days, as in the
call list's date filter. The perception gap is the exception: a correlation needs the pairs,
so it reads one row per surveyed call (surveys are far fewer than calls). Test calls are in
no figure. Works in the caller's session and never commits.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from callqa.models import Agent, Call, CallScore, FcrResult, ItemResult, Queue, Survey
from callqa.qa.fcr.contacts import FcrStatus
from callqa.qa.perception import PerceptionStats, SurveyedCall
from callqa.qa.scoring import Verdict
from callqa.queries.arguments import FIRST_DAY, Rejected, Rejections, argument
from callqa.queries.scope import EVERYTHING, Scope

PERIODS = ("day", "week", "month")
FCR_GROUPINGS = ("agent", "queue", *PERIODS)
VERDICTS = tuple(Verdict)  # each is an ItemPassRate field
FCR_STATUSES = tuple(FcrStatus)  # each is an FcrRate field
DEFAULT_PERIOD = "week"
DEFAULT_DAYS = 12 * 7
# The most periods a dashboard shows: a day view over three months, weeks over three years,
# months over ten. (A day view since year 1 grew a web worker to 2 GB.)
MAX_PERIODS = {"day": 92, "week": 157, "month": 120}


def utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class StatsFilters:
    """The calls a figure counts: started on these UTC days (inclusive; None leaves that end
    of the range open), of this agent, in this queue."""

    date_from: date | None = None
    date_to: date | None = None
    agent_id: int | None = None
    queue_id: int | None = None
    scope: Scope = field(default=EVERYTHING, kw_only=True)  # the calls the user may see


@dataclass(frozen=True)
class DashboardFilters(StatsFilters):
    """The dashboard's: always a range of days, and the period its score trend is shown by."""

    date_from: date
    date_to: date  # inclusive
    period: str = DEFAULT_PERIOD

    @classmethod
    def default(cls, today: date) -> DashboardFilters:
        """The twelve weeks up to and including `today`, weekly."""
        return cls(date_from=today - timedelta(days=DEFAULT_DAYS - 1), date_to=today)

    @classmethod
    def from_args(cls, args: Mapping[str, str], today: date,
                  rejected: Rejections | None = None) -> DashboardFilters:
        """From request arguments; a missing value takes its default, as does a bad or out of
        range one (noted in `rejected`); a reversed range is put the right way round, and one
        of more than `MAX_PERIODS` periods is cut to the last of them (noted as "range" with
        the day it starts on then)."""
        default = cls.default(today)
        date_from = argument(args, "date_from", date, rejected) or default.date_from
        date_to = argument(args, "date_to", date, rejected) or default.date_to
        if date_from > date_to:
            date_from, date_to = date_to, date_from
        period = args.get("period") or DEFAULT_PERIOD
        if period not in PERIODS:
            if rejected is not None:
                rejected.append(Rejected.of("period", period))
            period = DEFAULT_PERIOD
        earliest = earliest_start(date_to, period)
        if date_from < earliest:
            if rejected is not None:
                rejected.append(Rejected("range", earliest.isoformat()))
            date_from = earliest
        return cls(date_from=date_from, date_to=date_to,
                   agent_id=argument(args, "agent_id", int, rejected),
                   queue_id=argument(args, "queue_id", int, rejected),
                   period=period)


def earliest_start(date_to: date, period: str) -> date:
    """The first day a range ending on `date_to` may start on: `MAX_PERIODS[period]` periods
    back (every period is a row of the trend, drawn and tabled, per agent)."""
    start = period_start(date_to, period)
    for _ in range(MAX_PERIODS[period] - 1):
        start = period_start(start - timedelta(days=1), period)
    return max(start, FIRST_DAY)


# Periods: each is named by its first day (a Monday for weeks).

def period_start(day: date, period: str) -> date:
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ValueError(f"period is one of {', '.join(PERIODS)}, not {period!r}")


def period_end(start: date, period: str) -> date:
    """The last day (inclusive) of the period starting on `start`."""
    if period == "day":
        return start
    if period == "week":
        return start + timedelta(days=6)
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def period_label(start: date, period: str) -> str:
    """2026-11-02 for a day, the ISO week 2026-W45 for a week, 2026-11 for a month."""
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.strftime("%Y-%m") if period == "month" else start.isoformat()


def periods_between(date_from: date, date_to: date, period: str) -> list[date]:
    """The starts of the periods that overlap the range, in order."""
    starts = []
    start = period_start(date_from, period)
    while start <= date_to:
        starts.append(start)
        start = period_end(start, period) + timedelta(days=1)
    return starts


# Results

@dataclass(frozen=True)
class Group:
    """What a row counts: an agent or a queue (id None for the calls without one), or a
    period (`start`, its first day; None for the calls without a date)."""

    id: int | None
    name: str | None  # an agent's name (its external id if it has none), a queue's name
    code: str | None = None  # an agent's external id
    start: date | None = None


@dataclass
class Mean:
    total: float = 0.0
    count: int = 0

    def add(self, total: float, count: int) -> None:
        self.total += total
        self.count += count

    @property
    def value(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass
class ScoreTrend:
    """Mean call score of one agent (or of all) per period and over the whole range."""

    group: Group
    by_period: dict[date, Mean] = field(default_factory=dict)
    overall: Mean = field(default_factory=Mean)

    def add(self, period: date, total: float, count: int) -> None:
        self.by_period.setdefault(period, Mean()).add(total, count)
        self.overall.add(total, count)


@dataclass
class ItemPassRate:
    """Effective verdicts (after people's overrides) of one checklist item."""

    item_id: str
    passed: int = 0
    failed: int = 0
    review: int = 0
    not_applicable: int = 0

    def add(self, verdict: str, count: int) -> None:
        if verdict in VERDICTS:  # anything else is not counted
            setattr(self, verdict, getattr(self, verdict) + count)

    @property
    def rate(self) -> float | None:
        """Passed share of the passed and failed; review and not applicable are left out."""
        decided = self.passed + self.failed
        return self.passed / decided if decided else None


def fcr_rate(fcr: int, not_fcr: int) -> float | None:
    """FCR share of the decided calls; pending calls are not decided yet."""
    decided = fcr + not_fcr
    return fcr / decided if decided else None


@dataclass
class FcrRate:
    group: Group
    fcr: int = 0
    not_fcr: int = 0
    pending: int = 0

    def add(self, status: str, count: int) -> None:
        if status in FCR_STATUSES:  # anything else is not counted
            setattr(self, status, getattr(self, status) + count)

    @property
    def calls(self) -> int:
        return self.fcr + self.not_fcr + self.pending

    @property
    def rate(self) -> float | None:
        return fcr_rate(self.fcr, self.not_fcr)


@dataclass
class FcrTable:
    """FCR counts and rates per group, and over all the calls counted."""

    by: str  # one of FCR_GROUPINGS
    rows: list[FcrRate]
    total: FcrRate


@dataclass(frozen=True)
class Headline:
    """The dashboard's tiles over one range of days: the scored calls and their mean score,
    the FCR rate and the pass rate of each checklist item."""

    date_from: date
    date_to: date  # inclusive
    scores: Mean  # count: the calls scored
    fcr: FcrRate
    items: dict[str, ItemPassRate]

    def item_rate(self, item_id: str) -> ItemPassRate:
        return self.items.get(item_id) or ItemPassRate(item_id)


@dataclass(frozen=True)
class Change:
    """A figure of the range beside the same figure of the previous range; None where a range
    has nothing to compute it from (no call scored, nothing decided)."""

    value: float | None
    previous: float | None

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def previous_range(date_from: date, date_to: date) -> tuple[date, date]:
    """The range of as many days just before this one."""
    days = date_to - date_from + timedelta(days=1)
    return date_from - days, date_from - timedelta(days=1)


def headline(session: Session, filters: StatsFilters) -> Headline:
    """The tiles' figures over the filters' range (which must have both ends)."""
    assert filters.date_from is not None and filters.date_to is not None
    return Headline(filters.date_from, filters.date_to, mean_score(session, filters),
                    fcr_rates(session, filters, "agent").total,
                    {rate.item_id: rate for rate in item_pass_rates(session, filters)})


def mean_score(session: Session, filters: StatsFilters) -> Mean:
    """Over the scored calls (their effective score, as in the trend)."""
    total, count = session.execute(
        select(func.sum(CallScore.score), func.count(CallScore.score))
        .join(Call, Call.id == CallScore.call_id)
        .where(CallScore.score.is_not(None), *_call_conditions(filters))).one()
    return Mean(float(total or 0.0), int(count))


def last_scored_day(session: Session, filters: StatsFilters) -> date | None:
    """The UTC day of the latest scored call of the filters' agent, queue and scope, on any
    day: where a range without any could move to."""
    latest = session.scalar(
        select(func.max(Call.started_at)).join(CallScore, CallScore.call_id == Call.id)
        .where(CallScore.score.is_not(None),
               *_call_conditions(replace(filters, date_from=None, date_to=None))))
    if latest is None:
        return None
    return (latest.astimezone(UTC) if latest.tzinfo else latest).date()


def calls_change(current: Headline, previous: Headline) -> Change:
    """Scored calls; a previous range without any has no figure to change from."""
    return Change(current.scores.count, previous.scores.count or None)


@dataclass
class Dashboard:
    filters: DashboardFilters
    periods: list[date]
    score_trends: list[ScoreTrend]  # one per agent
    all_agents: ScoreTrend
    item_pass_rates: list[ItemPassRate]
    fcr_by_agent: list[FcrRate]
    fcr_by_queue: list[FcrRate]
    fcr_total: FcrRate
    previous: Headline  # the range of as many days just before, for the tiles' changes

    @property
    def current(self) -> Headline:
        """The tiles' figures of the range, from the tables'."""
        return Headline(self.filters.date_from, self.filters.date_to, self.all_agents.overall,
                        self.fcr_total, {rate.item_id: rate for rate in self.item_pass_rates})

    @property
    def scored_periods(self) -> list[date]:
        """The periods with a scored call: the trend's columns and points (empty periods
        would only be gaps)."""
        return [start for start in self.periods if start in self.all_agents.by_period]


def build_dashboard(session: Session, filters: DashboardFilters) -> Dashboard:
    score_trends, all_agents = score_trends_by_agent(session, filters)
    by_agent = fcr_rates(session, filters, "agent")
    by_queue = fcr_rates(session, filters, "queue")
    previous_from, previous_to = previous_range(filters.date_from, filters.date_to)
    return Dashboard(
        filters=filters,
        periods=periods_between(filters.date_from, filters.date_to, filters.period),
        score_trends=score_trends, all_agents=all_agents,
        item_pass_rates=item_pass_rates(session, filters),
        fcr_by_agent=by_agent.rows, fcr_by_queue=by_queue.rows, fcr_total=by_agent.total,
        previous=headline(session, replace(filters, date_from=previous_from,
                                           date_to=previous_to)))


def score_trends_by_agent(
    session: Session, filters: DashboardFilters
) -> tuple[list[ScoreTrend], ScoreTrend]:
    """Per agent, then for all agents together. CallScore.score is the score over the
    effective verdicts, so overrides count; calls without a score are left out."""
    day = UtcDay(Call.started_at)
    query = (
        select(Call.agent_id, day, func.sum(CallScore.score), func.count(CallScore.score))
        .join(Call, Call.id == CallScore.call_id)
        .where(CallScore.score.is_not(None), *_call_conditions(filters))
        .group_by(Call.agent_id, day)
    )
    trends: dict[int | None, ScoreTrend] = {}
    all_agents = ScoreTrend(Group(None, None))
    for agent_id, call_day, total, count in session.execute(query):
        assert total is not None  # each group has a scored call
        period = period_start(call_day, filters.period)
        trends.setdefault(agent_id, ScoreTrend(Group(agent_id, None))).add(period, total, count)
        all_agents.add(period, total, count)
    groups = _agent_groups(session, trends)
    named = [ScoreTrend(groups[agent_id], trend.by_period, trend.overall)
             for agent_id, trend in trends.items()]
    return sorted(named, key=lambda trend: _group_order(trend.group)), all_agents


def item_pass_rates(session: Session, filters: StatsFilters) -> list[ItemPassRate]:
    """Per checklist item, in scorecard order."""
    query = (
        select(ItemResult.item_id, ItemResult.effective_verdict, func.count(),
               func.min(ItemResult.position))
        .join(Call, Call.id == ItemResult.call_id)
        .where(*_call_conditions(filters))
        .group_by(ItemResult.item_id, ItemResult.effective_verdict)
    )
    rates: dict[str, ItemPassRate] = {}
    positions: dict[str, int] = {}
    for item_id, verdict, count, position in session.execute(query):
        rate = rates.setdefault(item_id, ItemPassRate(item_id))
        rate.add(verdict, count)
        positions[item_id] = min(position, positions.get(item_id, position))
    return sorted(rates.values(), key=lambda rate: (positions[rate.item_id], rate.item_id))


def fcr_rates(session: Session, filters: StatsFilters, by: str) -> FcrTable:
    """FCR counts by agent, queue, day, week or month (ordered by name, the calls without an
    agent or queue last; by period, in order), from one grouped query."""
    if by not in FCR_GROUPINGS:
        raise ValueError(f"group by one of {', '.join(FCR_GROUPINGS)}, not {by!r}")
    key = _fcr_key(by)
    query = (
        select(key, FcrResult.status, func.count())
        .join(Call, Call.id == FcrResult.call_id)
        .where(*_call_conditions(filters))
        .group_by(key, FcrResult.status)
    )
    counts: dict[Any, FcrRate] = {}
    total = FcrRate(Group(None, None))
    for value, status, count in session.execute(query):
        if by in PERIODS and value is not None:
            value = period_start(value, by)
        counts.setdefault(value, FcrRate(Group(None, None))).add(status, count)
        total.add(status, count)
    groups = _groups(session, by, counts)
    rows = [FcrRate(groups[value], rate.fcr, rate.not_fcr, rate.pending)
            for value, rate in counts.items()]
    return FcrTable(by, sorted(rows, key=lambda rate: _group_order(rate.group)), total)


@dataclass
class PerceptionRow:
    group: Group
    stats: PerceptionStats


@dataclass
class PerceptionGap:
    """The surveyed calls by agent and by queue, and all of them together."""

    by_agent: list[PerceptionRow]
    by_queue: list[PerceptionRow]
    total: PerceptionStats


def perception_gap(session: Session, filters: StatsFilters) -> PerceptionGap:
    """QA score and FCR beside NPS and CSAT over the same calls: those with a survey, in the
    filters' range (test calls left out), each with its score and FCR where it has them."""
    query = (
        select(Call.agent_id, Call.queue_id, CallScore.score, FcrResult.status, Survey.nps,
               Survey.csat)
        .join(Survey, Survey.call_id == Call.id)
        .outerjoin(CallScore, CallScore.call_id == Call.id)
        .outerjoin(FcrResult, FcrResult.call_id == Call.id)
        .where(*_call_conditions(filters))
    )
    by_agent: dict[int | None, PerceptionStats] = {}
    by_queue: dict[int | None, PerceptionStats] = {}
    total = PerceptionStats()
    for agent_id, queue_id, score, fcr, nps, csat in session.execute(query):
        call = SurveyedCall(score, None if fcr is None else str(fcr), nps, csat)
        by_agent.setdefault(agent_id, PerceptionStats()).add(call)
        by_queue.setdefault(queue_id, PerceptionStats()).add(call)
        total.add(call)
    return PerceptionGap(_perception_rows(session, "agent", by_agent),
                         _perception_rows(session, "queue", by_queue), total)


def _perception_rows(session: Session, by: str,
                     stats: dict[int | None, PerceptionStats]) -> list[PerceptionRow]:
    groups = _groups(session, by, stats)
    rows = [PerceptionRow(groups[key], value) for key, value in stats.items()]
    return sorted(rows, key=lambda row: _group_order(row.group))


def _fcr_key(by: str) -> Any:
    """The column counted by: periods are counted by day, then folded (`period_start`)."""
    if by == "agent":
        return Call.agent_id
    if by == "queue":
        return Call.queue_id
    return UtcDay(Call.started_at)


def _groups(session: Session, by: str, values: Iterable[Any]) -> dict[Any, Group]:
    if by == "agent":
        return _agent_groups(session, values)
    if by == "queue":
        return _queue_groups(session, values)
    return {start: Group(None, None, start=start) for start in values}


def _call_conditions(filters: StatsFilters) -> list[ColumnElement[bool]]:
    # test calls (mystery shoppers, managers) are scored but are no agent's statistics
    conditions = [*filters.scope.conditions(), Call.test_call.is_(False)]
    if filters.date_from is not None:
        conditions.append(Call.started_at >= _utc_midnight(filters.date_from))
    if filters.date_to is not None:
        conditions.append(Call.started_at < _utc_midnight(filters.date_to + timedelta(days=1)))
    if filters.agent_id is not None:
        conditions.append(Call.agent_id == filters.agent_id)
    if filters.queue_id is not None:
        conditions.append(Call.queue_id == filters.queue_id)
    return conditions


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _agent_groups(session: Session, ids: Iterable[int | None]) -> dict[int | None, Group]:
    """A Group per agent id; None for the calls without an agent."""
    ids = list(ids)
    wanted = [i for i in ids if i is not None]
    rows = session.execute(select(Agent.id, Agent.name, Agent.external_id)
                           .where(Agent.id.in_(wanted))).all() if wanted else []
    groups: dict[int | None, Group] = {
        agent_id: Group(agent_id, name or external_id, external_id)
        for agent_id, name, external_id in rows}
    return {i: groups.get(i, Group(i, None)) for i in ids}


def _queue_groups(session: Session, ids: Iterable[int | None]) -> dict[int | None, Group]:
    ids = list(ids)
    wanted = [i for i in ids if i is not None]
    rows = session.execute(
        select(Queue.id, Queue.name).where(Queue.id.in_(wanted))).all() if wanted else []
    names: dict[int | None, str] = {queue_id: name for queue_id, name in rows}
    return {i: Group(i, names.get(i)) for i in ids}


def _group_order(group: Group) -> tuple[Any, ...]:
    """By period; or by name, the calls without an agent or queue last."""
    if group.start is not None:
        return (False, "", 0, group.start)
    return (group.id is None, (group.name or "").casefold(), group.id or 0, date.min)


class UtcDay(FunctionElement[date]):
    """The UTC calendar day of a UTCDateTime column, as a date, on SQLite and PostgreSQL."""

    type = Date()
    name = "utc_day"
    inherit_cache = True


@compiles(UtcDay, "sqlite")
def _utc_day_sqlite(element: UtcDay, compiler: Any, **kw: Any) -> str:
    # UTCDateTime keeps naive UTC text on SQLite, so its date part is the UTC day.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(UtcDay, "postgresql")
def _utc_day_postgresql(element: UtcDay, compiler: Any, **kw: Any) -> str:
    # A literal zone, not a bound parameter: PostgreSQL must see the GROUP BY expression
    # and the selected one as the same text.
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"

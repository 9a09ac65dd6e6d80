"""The statistics (callqa.queries.stats: the dashboard's and `callqa report`'s) over
hand-built calls with known dates, scores, verdicts and FCR statuses,
on a real database (SQLite, and PostgreSQL when configured)."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import select, text

from callqa.models import (
    Agent,
    Call,
    CallScore,
    FcrResult,
    ItemResult,
    Queue,
    Role,
    Scorecard,
    User,
)
from callqa.qa.scoring.scorecard import default_scorecard
from callqa.queries.scope import Scope
from callqa.queries.stats import (
    Change,
    DashboardFilters,
    StatsFilters,
    build_dashboard,
    calls_change,
    fcr_rates,
    headline,
    item_pass_rates,
    last_scored_day,
    period_end,
    period_label,
    periods_between,
    previous_range,
    score_trends_by_agent,
)
from callqa.services import reviewing as review

NOVEMBER = DashboardFilters(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))
ITEMS = ("greeting", "thanks", "goodbye")


@pytest.fixture
def calls(sessions) -> dict[str, int]:
    """Anna (A01) and Bartek (A02), queues card and loans; c5 and c7 fall outside November
    in UTC (c7 is 00:30 on November 1 in Warsaw, still October 31 in UTC)."""
    rules = default_scorecard()
    with sessions.begin() as session:
        scorecard = Scorecard(name=rules.id, version=rules.version, source=rules.text)
        anna = Agent(external_id="A01", name="Anna")
        bartek = Agent(external_id="A02", name="Bartek")
        card, loans = Queue(name="card"), Queue(name="loans")
        session.add_all([scorecard, anna, bartek, card, loans])
        session.flush()
        add = partial(_add_call, session, scorecard)
        return {
            "c1": add(anna, card, "2026-11-02T09:00:00+00:00", 80,
                      ("passed", "failed", "review"), "fcr"),
            "c2": add(anna, card, "2026-11-04T23:30:00+00:00", 60,
                      ("failed", "passed", "not_applicable"), "not_fcr"),
            "c3": add(anna, loans, "2026-11-10T08:00:00+00:00", 100,
                      ("passed", "passed", "passed"), "pending"),
            "c4": add(bartek, loans, "2026-11-01T12:00:00+00:00", 50,
                      ("passed", "failed", "passed"), "not_fcr"),
            "c5": add(bartek, loans, "2026-12-01T10:00:00+00:00", 0,
                      ("failed", "failed", "failed"), "fcr"),
            "c6": add(None, None, "2026-11-05T10:00:00+00:00", None, ("review",), "fcr"),
            "c7": add(bartek, card, "2026-11-01T00:30:00+01:00", 10,
                      ("failed", "failed", "failed"), "not_fcr"),
            "c8": add(bartek, card, "2026-11-30T23:59:59+00:00", 70,
                      ("passed", "not_applicable"), "fcr"),
        }


def _add_call(session, scorecard: Scorecard, agent: Agent | None, queue: Queue | None,
              started: str, score: float | None, verdicts: tuple[str, ...], fcr: str) -> int:
    """A scored call with these effective verdicts of ITEMS, in order, and FCR status."""
    started_at = datetime.fromisoformat(started)
    call = Call(sha256=hashlib.sha256(started.encode()).hexdigest(), original_filename="c.json",
                agent=agent, queue=queue, started_at=started_at, status="done")
    session.add(call)
    session.flush()
    call.score = CallScore(scorecard=scorecard, score=score, passed_weight=0,
                           applicable_weight=0, items=[
        ItemResult(call_id=call.id, position=position, item_id=item_id, verdict=verdict,
                   effective_verdict=verdict, weight=1.0)
        for position, (item_id, verdict) in enumerate(zip(ITEMS, verdicts, strict=False))])
    call.fcr = FcrResult(status=fcr, window_ends_at=started_at + timedelta(days=7))
    session.flush()
    return call.id


def _trends(session, filters: DashboardFilters) -> dict[str | None, dict[date, tuple]]:
    trends, _ = score_trends_by_agent(session, filters)
    return {t.group.name: {p: (m.value, m.count) for p, m in t.by_period.items()}
            for t in trends}


def test_score_trend_per_agent_and_week(sessions, calls):
    with sessions() as session:
        trends, all_agents = score_trends_by_agent(session, NOVEMBER)
    assert [t.group.name for t in trends] == ["Anna", "Bartek"]  # c6 has no score
    anna, bartek = trends
    assert {p: (m.value, m.count) for p, m in anna.by_period.items()} == {
        date(2026, 11, 2): (70.0, 2), date(2026, 11, 9): (100.0, 1)}
    assert (anna.overall.value, anna.overall.count) == (80.0, 3)
    assert {p: (m.value, m.count) for p, m in bartek.by_period.items()} == {
        date(2026, 10, 26): (50.0, 1), date(2026, 11, 30): (70.0, 1)}  # not c7: October in UTC
    assert {p: m.value for p, m in all_agents.by_period.items()} == {
        date(2026, 10, 26): 50.0, date(2026, 11, 2): 70.0, date(2026, 11, 9): 100.0,
        date(2026, 11, 30): 70.0}
    assert (all_agents.overall.value, all_agents.overall.count) == (72.0, 5)


def test_score_trend_by_day_and_month(sessions, calls):
    with sessions() as session:
        if session.bind.dialect.name == "postgresql":  # days are UTC days whatever the session
            session.execute(text("SET TIME ZONE 'Asia/Tokyo'"))
        daily = _trends(session, DashboardFilters(NOVEMBER.date_from, NOVEMBER.date_to,
                                                  period="day"))
        monthly = _trends(session, DashboardFilters(date(2026, 10, 1), date(2026, 12, 31),
                                                    period="month"))
    assert daily["Anna"] == {date(2026, 11, 2): (80.0, 1), date(2026, 11, 4): (60.0, 1),
                             date(2026, 11, 10): (100.0, 1)}
    assert daily["Bartek"] == {date(2026, 11, 1): (50.0, 1), date(2026, 11, 30): (70.0, 1)}
    assert monthly["Anna"] == {date(2026, 11, 1): (80.0, 3)}
    assert monthly["Bartek"] == {date(2026, 10, 1): (10.0, 1), date(2026, 11, 1): (60.0, 2),
                                 date(2026, 12, 1): (0.0, 1)}


def test_item_pass_rates_count_every_verdict(sessions, calls):
    with sessions() as session:
        rates = item_pass_rates(session, NOVEMBER)
    assert [(r.item_id, r.passed, r.failed, r.review, r.not_applicable) for r in rates] == [
        ("greeting", 4, 1, 1, 0), ("thanks", 2, 2, 0, 1), ("goodbye", 2, 0, 1, 1)]
    assert [r.rate for r in rates] == [0.8, 0.5, 1.0]  # review and not applicable left out


def test_an_override_changes_the_pass_rate_and_the_trend(sessions, calls):
    with sessions.begin() as session:
        supervisor = User(username="sup", role=Role.SUPERVISOR, password_hash="-")
        session.add(supervisor)
        session.flush()
        call = session.get(Call, calls["c1"])
        review.override_item(session, call, "greeting", "failed", "no greeting", supervisor)
        new_score = call.score.score
    assert new_score != 80
    with sessions() as session:
        greeting = item_pass_rates(session, NOVEMBER)[0]
        trends, all_agents = score_trends_by_agent(session, NOVEMBER)
        machine = session.get(Call, calls["c1"]).score.items[0].verdict
    assert (greeting.passed, greeting.failed, greeting.rate) == (3, 2, 0.6)
    assert machine == "passed"  # the machine's verdict is kept; the effective one counts
    assert trends[0].by_period[date(2026, 11, 2)].value == pytest.approx((new_score + 60) / 2)
    assert all_agents.overall.total == pytest.approx(new_score + 60 + 100 + 50 + 70)


def test_fcr_rates_by_agent_and_queue(sessions, calls):
    with sessions() as session:
        dashboard = build_dashboard(session, NOVEMBER)
    by_agent = [(r.group.name, r.fcr, r.not_fcr, r.pending, r.rate)
                for r in dashboard.fcr_by_agent]
    assert by_agent == [("Anna", 1, 1, 1, 0.5), ("Bartek", 1, 1, 0, 0.5), (None, 1, 0, 0, 1.0)]
    by_queue = [(r.group.name, r.fcr, r.not_fcr, r.pending, r.rate)
                for r in dashboard.fcr_by_queue]
    assert by_queue == [("card", 2, 1, 0, 2 / 3), ("loans", 0, 1, 1, 0.0),
                        (None, 1, 0, 0, 1.0)]
    total = dashboard.fcr_total
    assert (total.fcr, total.not_fcr, total.pending, total.calls, total.rate) == (3, 2, 1, 6, 0.6)
    assert dashboard.periods == [date(2026, 10, 26) + timedelta(weeks=n) for n in range(6)]


def _counts(table) -> list[tuple]:
    return [(row.group.start, row.fcr, row.not_fcr, row.pending) for row in table.rows]


def test_fcr_rates_by_period_are_counted_on_utc_days(sessions, calls):
    with sessions() as session:
        if session.bind.dialect.name == "postgresql":  # days are UTC days whatever the session
            session.execute(text("SET TIME ZONE 'Asia/Tokyo'"))
        weekly = fcr_rates(session, NOVEMBER, "week")
        monthly = fcr_rates(session, StatsFilters(), "month")  # every call, no date bounds
        daily = fcr_rates(session, StatsFilters(date(2026, 11, 4), date(2026, 11, 5)), "day")
    assert _counts(weekly) == [(date(2026, 10, 26), 0, 1, 0), (date(2026, 11, 2), 2, 1, 0),
                               (date(2026, 11, 9), 0, 0, 1), (date(2026, 11, 30), 1, 0, 0)]
    total = weekly.total
    assert (total.fcr, total.not_fcr, total.pending, total.rate) == (3, 2, 1, 0.6)
    assert _counts(monthly) == [(date(2026, 10, 1), 0, 1, 0), (date(2026, 11, 1), 3, 2, 1),
                                (date(2026, 12, 1), 1, 0, 0)]  # c7 in October, c5 December
    assert _counts(daily) == [(date(2026, 11, 4), 0, 1, 0), (date(2026, 11, 5), 1, 0, 0)]


def test_the_dashboard_and_the_report_count_fcr_alike(sessions, calls):
    """The dashboard's FCR tables are `fcr_rates` over its filters; without date bounds (the
    report's default) the calls outside November count too."""
    with sessions() as session:
        dashboard = build_dashboard(session, NOVEMBER)
        by_agent = fcr_rates(session, NOVEMBER, "agent")
        everything = fcr_rates(session, StatsFilters(), "agent")
    assert dashboard.fcr_by_agent == by_agent.rows and dashboard.fcr_total == by_agent.total
    assert [(r.group.name, r.group.code, r.fcr, r.not_fcr) for r in everything.rows] == [
        ("Anna", "A01", 1, 1), ("Bartek", "A02", 2, 2), (None, None, 1, 0)]
    with pytest.raises(ValueError, match="group by one of agent, queue, day, week, month"):
        fcr_rates(session, NOVEMBER, "year")


def test_one_period_scheme_of_labels():
    assert period_label(date(2026, 11, 2), "day") == "2026-11-02"
    assert period_label(date(2026, 11, 2), "week") == "2026-W45"
    assert period_label(date(2025, 12, 29), "week") == "2026-W01"  # ISO: the week of Jan 1
    assert period_label(date(2026, 11, 1), "month") == "2026-11"


def test_agent_and_queue_filters(sessions, calls):
    with sessions() as session:
        anna_id = session.scalar(select(Agent.id).where(Agent.external_id == "A01"))
        loans_id = session.scalar(select(Queue.id).where(Queue.name == "loans"))
        anna = build_dashboard(session, DashboardFilters(
            NOVEMBER.date_from, NOVEMBER.date_to, agent_id=anna_id))
        loans = build_dashboard(session, DashboardFilters(
            NOVEMBER.date_from, NOVEMBER.date_to, queue_id=loans_id))
        nobody = build_dashboard(session, DashboardFilters(
            date(2020, 1, 1), date(2020, 1, 31)))
    assert [t.group.name for t in anna.score_trends] == ["Anna"]
    greeting = anna.item_pass_rates[0]
    assert (greeting.passed, greeting.failed) == (2, 1)
    assert [(r.group.name, r.fcr, r.not_fcr, r.pending) for r in anna.fcr_by_queue] == [
        ("card", 1, 1, 0), ("loans", 0, 0, 1)]
    assert {t.group.name: t.overall.value for t in loans.score_trends} == {
        "Anna": 100.0, "Bartek": 50.0}
    assert [r.group.name for r in loans.fcr_by_agent] == ["Anna", "Bartek"]
    assert nobody.score_trends == [] and nobody.item_pass_rates == []
    assert nobody.fcr_by_agent == [] and nobody.fcr_total.rate is None
    assert nobody.all_agents.overall.value is None


def test_filters_from_request_arguments():
    today = date(2026, 11, 20)
    default = DashboardFilters.from_args({}, today)
    assert (default.date_from, default.date_to, default.period) == (
        date(2026, 8, 29), today, "week")  # twelve weeks up to today
    assert default.date_to - default.date_from == timedelta(days=83)
    parsed = DashboardFilters.from_args({"date_from": "2026-11-30", "date_to": "2026-11-01",
                                         "agent_id": "3", "queue_id": "x",
                                         "period": "month"}, today)
    assert parsed == DashboardFilters(date(2026, 11, 1), date(2026, 11, 30), 3, None, "month")
    bad = DashboardFilters.from_args({"date_from": "yesterday", "period": "year"}, today)
    assert bad == default


def test_periods():
    assert periods_between(date(2026, 12, 15), date(2027, 2, 1), "month") == [
        date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]
    assert periods_between(date(2026, 11, 1), date(2026, 11, 3), "day") == [
        date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
    assert period_end(date(2028, 2, 1), "month") == date(2028, 2, 29)
    assert period_end(date(2026, 12, 1), "month") == date(2026, 12, 31)
    assert period_end(date(2026, 11, 2), "week") == date(2026, 11, 8)


def test_the_previous_range_has_as_many_days():
    assert previous_range(date(2026, 11, 1), date(2026, 11, 30)) == (
        date(2026, 10, 2), date(2026, 10, 31))
    assert previous_range(date(2026, 11, 10), date(2026, 11, 10)) == (
        date(2026, 11, 9), date(2026, 11, 9))
    assert previous_range(date(2026, 3, 1), date(2026, 3, 31)) == (  # 31 days, over February
        date(2026, 1, 29), date(2026, 2, 28))


def test_the_tiles_figures_beside_the_previous_range(sessions, calls):
    """November against October 2 to 31, which holds c7 alone (Bartek, 10, all failed)."""
    with sessions() as session:
        dashboard = build_dashboard(session, NOVEMBER)
    current, previous = dashboard.current, dashboard.previous
    assert (previous.date_from, previous.date_to) == (date(2026, 10, 2), date(2026, 10, 31))
    assert (current.scores.value, current.scores.count) == (72.0, 5)
    assert (previous.scores.value, previous.scores.count) == (10.0, 1)
    assert calls_change(current, previous).delta == 4
    assert Change(current.scores.value, previous.scores.value).delta == 62.0
    assert (current.fcr.rate, previous.fcr.rate) == (0.6, 0.0)
    assert current.item_rate("greeting").rate == 0.8
    assert [previous.item_rate(item).rate for item in ITEMS] == [0.0, 0.0, 0.0]
    assert previous.item_rate("introduction").rate is None  # not in these calls
    assert dashboard.scored_periods == [date(2026, 10, 26), date(2026, 11, 2),
                                        date(2026, 11, 9), date(2026, 11, 30)]  # 2 left out


def test_a_previous_range_without_calls_gives_no_change(sessions, calls):
    with sessions() as session:
        day = build_dashboard(session, DashboardFilters(date(2026, 11, 10), date(2026, 11, 10)))
    assert (day.current.scores.count, day.previous.scores.count) == (1, 0)
    assert calls_change(day.current, day.previous) == Change(1, None)
    assert calls_change(day.current, day.previous).delta is None
    assert day.previous.scores.value is None and day.previous.fcr.rate is None
    assert Change(day.current.item_rate("greeting").rate,
                  day.previous.item_rate("greeting").rate).delta is None


def test_the_tiles_figures_keep_to_the_scope_and_filters(sessions, calls):
    with sessions() as session:
        anna_id = session.scalar(select(Agent.id).where(Agent.external_id == "A01"))
        bartek_id = session.scalar(select(Agent.id).where(Agent.external_id == "A02"))
        annas = build_dashboard(session, DashboardFilters(
            NOVEMBER.date_from, NOVEMBER.date_to, scope=Scope(frozenset({anna_id}))))
        outside = build_dashboard(session, DashboardFilters(
            NOVEMBER.date_from, NOVEMBER.date_to, agent_id=bartek_id,
            scope=Scope(frozenset({anna_id}))))
        card_id = session.scalar(select(Queue.id).where(Queue.name == "card"))
        card = headline(session, StatsFilters(date(2026, 10, 2), date(2026, 10, 31),
                                              queue_id=card_id))
    assert (annas.current.scores.count, annas.current.scores.value) == (3, 80.0)
    assert annas.previous.scores.count == 0  # c7 is Bartek's
    assert outside.current.scores.count == 0 and outside.previous.scores.count == 0
    assert outside.current.fcr.rate is None and outside.current.items == {}
    assert (card.scores.count, card.fcr.not_fcr) == (1, 1)  # c7, in the card queue


def test_the_last_scored_day_of_the_filters_on_any_day(sessions, calls):
    with sessions() as session:
        anna_id = session.scalar(select(Agent.id).where(Agent.external_id == "A01"))
        card_id = session.scalar(select(Queue.id).where(Queue.name == "card"))
        everyone = last_scored_day(session, DashboardFilters(date(2020, 1, 1),
                                                             date(2020, 1, 31)))
        annas = last_scored_day(session, StatsFilters(scope=Scope(frozenset({anna_id}))))
        card = last_scored_day(session, StatsFilters(queue_id=card_id))
        nobodys = last_scored_day(session, StatsFilters(scope=Scope(frozenset())))
    assert everyone == date(2026, 12, 1)  # c5, scored 0: a score all the same
    assert annas == date(2026, 11, 10)
    assert card == date(2026, 11, 30)  # c8 at 23:59:59 UTC
    assert nobodys is None

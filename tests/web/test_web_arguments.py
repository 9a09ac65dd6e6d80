"""Out-of-range and oversized request arguments, as an attacker sent them to the running
product: each was a 500 (an integer the database cannot hold, a day after 9999-12-31) or grew
a web worker to 2 GB (a day view since year 1). Every list, dashboard and export argument is
now read once (callqa/queries/arguments.py): the pages leave a bad one out and say so, the
export refuses it, and a dashboard range is cut to what a chart can show."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from test_web_dashboard import _chart_data
from webtools import session_browser

from callqa.queries.arguments import INT_MAX, Rejected
from callqa.queries.stats import MAX_PERIODS, DashboardFilters, earliest_start

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from bench_call_list import SeedOptions, seed_calls  # noqa: E402

HUGE = "99999999999999999999"
IGNORED_ON_PAGES = [
    ("/calls", "page", HUGE), ("/calls", "per_page", HUGE), ("/calls", "date_to", "9999-12-31"),
    ("/calls", "date_from", "0001-01-01"), ("/calls", "agent_id", HUGE),
    ("/calls", "queue_id", HUGE), ("/calls", "score_min", "1e400"), ("/calls", "score_max", "nan"),
    ("/calls", "agent_id", str(INT_MAX + 1)), ("/calls", "status", "burning"),
    ("/my/calls", "page", HUGE), ("/my/calls", "date_to", "9999-12-31"),
    ("/review-queue", "agent_id", HUGE), ("/review-queue", "queue_id", HUGE),
    ("/review-queue", "page", HUGE),
    ("/dashboard", "date_to", "9999-12-31"), ("/dashboard", "date_from", "9999-12-31"),
    ("/dashboard", "agent_id", HUGE), ("/dashboard", "queue_id", HUGE),
    ("/dashboard", "period", "century"),
]


@pytest.mark.parametrize(("path", "name", "value"), IGNORED_ON_PAGES)
def test_a_page_leaves_out_an_argument_it_cannot_use_and_says_so(app, world, path, name, value):
    user = "agent" if path.startswith("/my/") else "supervisor"
    response = session_browser(app, world.users[user]).get(f"{path}?{name}={value}")
    assert response.status_code == 200
    assert f"Ignored {name}={value[:40]}" in response.get_data(as_text=True)


def test_an_argument_in_range_gives_no_notice(app, world):
    response = session_browser(app, world.users["supervisor"]).get(
        f"/calls?page=2&agent_id={INT_MAX}&date_from=1900-01-01&date_to=2999-12-31")
    assert response.status_code == 200
    assert "Ignored" not in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [f"agent_id={HUGE}", "date_to=9999-12-31", "score_min=nan",
                                   "date_from=yesterday"])
def test_the_export_refuses_a_filter_it_cannot_use(app, world, query):
    """Leaving the filter out would export calls nobody asked for."""
    response = session_browser(app, world.users["supervisor"]).get(f"/calls.csv?{query}")
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert f"{query.split('=')[0]}=" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [f"/calls/{HUGE}", f"/calls/{INT_MAX + 1}/audio",
                                  f"/calls/{HUGE}/items/greeting/window.wav"])
def test_an_id_in_the_path_too_large_for_the_database_is_not_found(app, world, path):
    assert session_browser(app, world.users["supervisor"]).get(path).status_code == 404


def test_a_day_view_over_a_long_range_shows_its_last_three_months(app, world):
    browser = session_browser(app, world.users["supervisor"])
    response = browser.get("/dashboard?date_from=1900-01-01&date_to=2026-11-30&period=day")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # the trend draws only the days with a scored call; the others are counted in a note
    periods = _chart_data(html)["scoreTrend"]["periods"]
    assert periods and all("2026-08-31" <= day <= "2026-11-30" for day in periods)
    left_out = MAX_PERIODS["day"] - len(periods)
    assert f"{left_out} periods without a scored call are left out." in html
    assert "That range has too many periods to show: it starts on 2026-08-31 instead" in html


def test_the_day_view_since_year_one_that_took_a_worker_down(app, world):
    response = session_browser(app, world.users["supervisor"]).get(
        "/dashboard?date_from=0001-01-01&period=day")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert len(_chart_data(html)["scoreTrend"]["periods"]) <= MAX_PERIODS["day"]
    assert "Ignored date_from=0001-01-01" in html


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_every_period_is_capped(period):
    rejected: list[Rejected] = []
    filters = DashboardFilters.from_args(
        {"date_from": "1900-01-01", "date_to": "2999-12-31", "period": period},
        date(2026, 12, 2), rejected)
    assert filters.date_from == earliest_start(date(2999, 12, 31), period)
    assert rejected == [Rejected("range", filters.date_from.isoformat())]
    assert len(_periods(filters)) == MAX_PERIODS[period]
    within = DashboardFilters.from_args(
        {"date_from": filters.date_from.isoformat(), "date_to": "2999-12-31", "period": period},
        date(2026, 12, 2), rejected)
    assert within == filters and len(rejected) == 1


def _periods(filters: DashboardFilters) -> list[date]:
    from callqa.queries.stats import periods_between
    return periods_between(filters.date_from, filters.date_to, filters.period)


def test_an_export_cut_off_midway_frees_its_session_and_breaks_nothing(app):
    """A download abandoned after its first lines (the server closes the body), on an export
    longer than one batch: the server-side cursor and the session are let go, and the
    next requests are answered."""
    seeded = seed_calls(app.extensions["callqa_engine"],
                        SeedOptions(calls=2500, agents=3, days=30, batch=2500))
    browser = session_browser(app, seeded.supervisor_id)
    for _ in range(3):
        response = browser.get("/calls.csv", buffered=False)
        assert response.status_code == 200
        chunks = iter(response.response)
        first = [next(chunks) for _ in range(1200)]
        assert first[0] in (b"\xef\xbb\xbf", "\ufeff")
        response.close()
    assert browser.get("/calls?per_page=5").status_code == 200
    full = browser.get("/calls.csv").get_data(as_text=True)
    assert full.count("\n") == 2500 + 1

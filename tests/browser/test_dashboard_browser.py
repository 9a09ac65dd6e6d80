"""The dashboard's KPI tiles and score trend in a real browser, in English and in Polish: the
tiles with their changes against the days before, the trend drawn as lines over the periods
with a scored call and the target line across it. Screenshots in
test-artifacts/dashboard-kpi-*.png. The site is the web tests' world of its own (the sample
calls as scored transcripts, no recording transcribed: no model needed), so no other
browser test's review changes its figures.

From 5 to 8 November 2026 by day: cen028 (75) and cpl005 (87.5) on the 5th, cpl004 (75) on
the 8th; the 4 days before hold cen025 (87.5)."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from browsertools import watched_page
from dbtools import fresh_database
from playwright.sync_api import Browser, Page, expect
from webtools import PASSWORD, build_world, dispose
from werkzeug.serving import make_server

from callqa.settings import Settings
from callqa.web import create_app

LATE_WEEK = "/dashboard?date_from=2026-11-05&date_to=2026-11-08&period=day"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def dashboard_site(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("dashboard-site")
    with fresh_database("sqlite", folder) as url:
        settings = Settings(home=folder / "home", database_url=url, default_language="")
        app = create_app({"CALLQA_SETTINGS": settings})
        build_world(app, folder)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            server.server_close()
            dispose(app)


@pytest.fixture
def supervisor(chromium: Browser, dashboard_site: str) -> Iterator[Page]:
    """The supervisor signed in, in a fresh profile; script or console errors fail the test."""
    # a dashboard page loads Plotly.js (4.5 MB) and draws four charts: on a machine busy with
    # other work that has taken more than TIMEOUT_MS
    with watched_page(chromium, dashboard_site, TIMEOUT_MS, 4 * TIMEOUT_MS) as page:
        page.goto("/login")
        page.fill("#username", "supervisor")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("#login-submit")
        yield page


def _tile(page: Page, key: str):
    return page.locator(f"#kpi-{key}")


def _check_trend(page: Page, target_label: str) -> None:
    """Four series (three agents and all of them), all agents a line over 5 and 8 November
    (the two days between left out), and the target line with its label."""
    chart = page.locator("#chart-score-trend")
    expect(chart.locator(".main-svg").first).to_be_visible()
    expect(chart.locator(".scatterlayer .trace")).to_have_count(4)
    ticks = [tick.text_content() for tick in chart.locator(".xtick text").all()]  # SVG text
    assert ticks == ["2026-11-05", "2026-11-08"], ticks
    lines = [chart.locator("path.js-line").nth(n).get_attribute("d") or ""
             for n in range(chart.locator("path.js-line").count())]
    # a line of two points: a move and a line segment (Plotly: "M x,y L x,y")
    assert any(re.fullmatch(r"M[\d.,-]+L[\d.,-]+", d) for d in lines), lines
    target = chart.locator(".shapelayer path")
    expect(target).to_have_count(1)
    expect(chart.locator(".annotation-text")).to_have_text(target_label)
    # the dashed target line is drawn at 85 on the score axis: between the 80 and 100 ticks
    target_y = _path_y(target.get_attribute("d") or "")
    ticks_y = {tick.text_content(): _translate_y(tick.get_attribute("transform") or "")
               for tick in chart.locator(".ytick text").all()}
    assert ticks_y["100"] < target_y < ticks_y["80"], (target_y, ticks_y)
    assert target_y == pytest.approx(ticks_y["80"] - (ticks_y["80"] - ticks_y["100"]) / 4,
                                     abs=1.5)


def _all_charts_drawn(page: Page) -> None:
    """Before a screenshot: a chart still being laid out overlaps the panels under it."""
    for chart in ("chart-score-trend", "chart-item-pass", "chart-fcr-agent", "chart-fcr-queue"):
        expect(page.locator(f"#{chart}.js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.locator("#table-score-trend")).to_be_visible()


def _path_y(d: str) -> float:
    match = re.match(r"M[\d.-]+,([\d.-]+)", d)
    assert match, d
    return float(match.group(1))


def _translate_y(transform: str) -> float:
    match = re.search(r"translate\([\d.-]+,\s*([\d.-]+)\)", transform)
    assert match, transform
    return float(match.group(1))


def test_tiles_and_trend_in_english(supervisor: Page, artifacts):
    page = supervisor
    page.goto(LATE_WEEK)
    expect(_tile(page, "calls").locator(".kpi-value")).to_have_text("3")
    expect(_tile(page, "calls").locator(".kpi-change-text")).to_have_text("+2 calls")
    score = _tile(page, "score")
    expect(score.locator(".kpi-value")).to_have_text("79.2")
    expect(score.locator(".kpi-change-text")).to_have_text("−8.3 pts")
    expect(score.locator(".kpi-change")).to_have_class(re.compile(r"\bdown\b.*\bbad\b"))
    expect(score.locator(".kpi-arrow")).to_have_text("▼")
    expect(score.locator(".kpi-target")).to_have_text("target 85")
    expect(score).to_have_class(re.compile(r"\bbelow-target\b"))
    expect(_tile(page, "fcr").locator(".kpi-change-text")).to_have_text("0.0 pp")
    for item, name in (("greeting", "Greeting"), ("thanks", "Thanks"), ("goodbye", "Goodbye")):
        tile = _tile(page, f"item-{item}")
        expect(tile.locator(".kpi-name")).to_have_text(f"Pass rate: {name}")
        expect(tile.locator(".kpi-value")).to_have_text(re.compile(r"^\d+\.\d%$"))
        expect(tile.locator(".kpi-change-text")).to_have_text(re.compile(r"^[+−]?\d+\.\d pp$"))
    expect(page.locator("#kpi-previous")).to_have_text(
        "Changes against the 4 days before: 2026-11-01 to 2026-11-04.")
    # the tiles stand above the trend, side by side
    tiles = page.locator(".kpi-tile")
    expect(tiles).to_have_count(6)
    first, second = tiles.nth(0).bounding_box(), tiles.nth(1).bounding_box()
    chart = page.locator("#chart-score-trend").bounding_box()
    assert first and second and chart
    assert first["y"] == second["y"] and second["x"] > first["x"]
    assert first["y"] + first["height"] < chart["y"]
    _check_trend(page, "target 85")
    expect(page.locator("#empty-periods")).to_have_text(
        "2 periods without a scored call are left out.")
    _all_charts_drawn(page)
    page.screenshot(path=artifacts / "dashboard-kpi-en.png", full_page=True)


def test_tiles_and_trend_in_polish(supervisor: Page, artifacts):
    page = supervisor
    page.goto(LATE_WEEK)
    with page.expect_navigation():
        page.click('#language-form button[value="pl"]')
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    try:
        expect(_tile(page, "calls").locator(".kpi-name")).to_have_text("Ocenione rozmowy")
        expect(_tile(page, "calls").locator(".kpi-change-text")).to_have_text("+2 rozmowy")
        score = _tile(page, "score")
        expect(score.locator(".kpi-value")).to_have_text("79,2")
        expect(score.locator(".kpi-change-text")).to_have_text("−8,3 pkt")
        expect(score.locator(".kpi-target")).to_have_text("cel 85")
        expect(_tile(page, "fcr").locator(".kpi-value")).to_have_text("100,0%")
        expect(_tile(page, "fcr").locator(".kpi-change-text")).to_have_text("0,0 p.p.")
        expect(_tile(page, "item-greeting").locator(".kpi-name")).to_have_text(
            "Odsetek zaliczeń: Powitanie")
        _check_trend(page, "cel 85")
        _all_charts_drawn(page)
        page.screenshot(path=artifacts / "dashboard-kpi-pl.png", full_page=True)
    finally:
        with page.expect_navigation():  # the choice is the user's
            page.click('#language-form button[value="en"]')

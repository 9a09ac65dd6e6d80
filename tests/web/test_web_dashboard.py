"""The supervisors' dashboard page over the shipped sample calls, and the Plotly.js route.

In November 2026 the samples are: John Carter (A11) cen025 (card, 87.5) and cen028 (billing,
75), Piotr Wiśniewski (A02) cpl004 (dostawa, 75), Tomasz Lewandowski (A04) cpl005
(dostawa, 87.5); all in the week of 2 November, all FCR; anything_else failed in cpl004 and
cen028, resolution_check in all four (no agent asks whether the matter is settled), every
other item passed.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from webtools import add_teams, dispose, make_app, session_browser

from callqa.models import Agent, Queue
from callqa.queries.stats import utc_today
from callqa.settings import load_settings
from callqa.web.vendor_views import maplibre_style_id, plotly_maplibre_style_id, plotly_version

NOVEMBER = "date_from=2026-11-01&date_to=2026-11-30"
# 5 to 8 November: cen028 (75), cpl005 (87.5), cpl004 (75); the 4 days before, cen025 (87.5)
LATE_WEEK = "date_from=2026-11-05&date_to=2026-11-08"
ELEMENT_IDS = ("dashboard", "dashboard-filters", "chart-score-trend", "chart-item-pass",
               "chart-fcr-agent", "chart-fcr-queue", "table-score-trend", "table-item-pass",
               "table-fcr-agent", "table-fcr-queue")


class _Table(HTMLParser):
    """The rows of one table: for each row, its cells as (attributes, text, link)."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows = table_id, False, []
        self.cell: list | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = [attributes, "", None]
            self.rows[-1].append(self.cell)
        elif self.inside and tag == "a" and self.cell is not None:
            self.cell[2] = attributes["href"]

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data


def _rows(html: str, table_id: str) -> dict[str, list]:
    """Body and footer rows by their first cell's text; header rows are left out."""
    parser = _Table(table_id)
    parser.feed(html)
    return {" ".join(row[0][1].split()): [(attrs, " ".join(text.split()), link)
                                          for attrs, text, link in row[1:]]
            for row in parser.rows if row and not row[0][0].get("scope") == "col"}


def _chart_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>',
                      html, re.S)
    assert match
    return json.loads(match.group(1))


def _page(app, world, query: str = NOVEMBER, user: str = "supervisor") -> str:
    response = session_browser(app, world.users[user]).get(f"/dashboard?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_shows_each_chart_with_its_table(app, world):
    html = _page(app, world)
    for element_id in ELEMENT_IDS:
        assert f'id="{element_id}"' in html, element_id
    trend = _rows(html, "table-score-trend")
    assert list(trend) == ["John Carter", "Piotr Wiśniewski", "Tomasz Lewandowski",
                           "All agents"]
    carter = trend["John Carter"]
    assert (float(carter[0][0]["data-mean"]), carter[1][1]) == (81.25, "2")
    week = [cell for cell in carter if cell[0].get("data-period") == "2026-11-02"][0]
    assert week[0]["data-calls"] == "2" and week[2].endswith(
        "date_from=2026-11-02&date_to=2026-11-08&agent_id=" + carter_id(app))
    assert [cell[1] for cell in trend["All agents"][:2]] == ["81.2", "4"]

    items = _rows(html, "table-item-pass")
    assert list(items)[0] == "Greeting" and items["Greeting"][0][1] == "100.0%"
    further_help = items["Offer of further help"]
    assert [cell[1] for cell in further_help] == ["50.0%", "2", "2", "0", "0"]
    assert further_help[2][2] == ("/calls?date_from=2026-11-01&date_to=2026-11-30"
                                  "&failed_item=anything_else")

    by_agent = _rows(html, "table-fcr-agent")
    assert [cell[1] for cell in by_agent["John Carter"]] == ["100.0%", "2", "0", "0", "2"]
    assert [cell[1] for cell in by_agent["All"]] == ["100.0%", "4", "0", "0", "4"]
    by_queue = _rows(html, "table-fcr-queue")
    assert list(by_queue) == ["billing", "card", "dostawa", "All"]
    assert by_queue["dostawa"][1][1] == "2"


def test_row_links_open_the_calls_they_count(app, world):
    html = _page(app, world)
    link = _rows(html, "table-item-pass")["Offer of further help"][2][2]
    supervisor = session_browser(app, world.users["supervisor"])
    listed = supervisor.get(link).get_data(as_text=True)
    ids = {int(i) for i in re.findall(r'class="call-row" data-call-id="(\d+)"', listed)}
    assert ids == {world.calls["cpl004"], world.calls["cen028"]}
    fcr_link = _rows(html, "table-fcr-agent")["John Carter"][1][2]
    assert "fcr_status=fcr" in fcr_link and f"agent_id={carter_id(app)}" in fcr_link
    listed = supervisor.get(fcr_link).get_data(as_text=True)
    ids = {int(i) for i in re.findall(r'class="call-row" data-call-id="(\d+)"', listed)}
    assert ids == {world.calls["cen025"], world.calls["cen028"]}


def test_an_override_changes_the_pass_rate(app, world):
    supervisor = session_browser(app, world.users["supervisor"])
    response = supervisor.post(f"/calls/{world.calls['cen025']}/items/greeting/override",
                               data={"verdict": "failed", "comment": "no greeting"})
    assert response.status_code == 303
    html = _page(app, world)
    greeting = _rows(html, "table-item-pass")["Greeting"]
    assert [cell[1] for cell in greeting] == ["75.0%", "3", "1", "0", "0"]
    carter = _rows(html, "table-score-trend")["John Carter"]
    assert float(carter[0][0]["data-mean"]) < 81.25  # the recomputed score counts too


def test_filters_and_periods(app, world, session):
    carter = carter_id(app)
    dostawa = session.scalar(select(Queue.id).where(Queue.name == "dostawa"))
    html = _page(app, world, f"{NOVEMBER}&agent_id={carter}&period=month")
    assert list(_rows(html, "table-score-trend")) == ["John Carter", "All agents"]
    assert re.findall(r'<th scope="col" data-period="([^"]+)">', html) == ["2026-11-01"]
    assert list(_rows(html, "table-fcr-queue")) == ["billing", "card", "All"]
    assert f'<option value="{carter}" selected>' in html
    html = _page(app, world, f"{NOVEMBER}&queue_id={dostawa}&period=day")
    assert list(_rows(html, "table-fcr-agent")) == ["Piotr Wiśniewski", "Tomasz Lewandowski",
                                                    "All"]
    # 30 days, two with a scored call (5 and 8 November): the others are left out
    assert re.findall(r'<th scope="col" data-period="([^"]+)">', html) == ["2026-11-05",
                                                                           "2026-11-08"]
    assert "28 periods without a scored call are left out." in html
    empty = _page(app, world, "date_from=2025-01-01&date_to=2025-01-31")
    assert empty.count("No data for these filters.") >= 4
    assert _chart_data(empty)["itemPass"]["x"] == []


def test_default_range_is_twelve_weeks_up_to_today(app, world):
    html = _page(app, world, "date_from=nonsense&period=fortnight")
    today = utc_today()
    assert f'name="date_to" id="dashboard-date-to" value="{today}"' in html
    assert f'value="{today - timedelta(days=83)}"' in html
    assert '<option value="week" selected>' in html


def test_chart_data_for_the_script(app, world):
    data = _chart_data(_page(app, world))
    series = {s["name"]: s for s in data["scoreTrend"]["series"]}
    assert series["John Carter"]["x"] == ["2026-W45"]  # the ISO week, as `callqa report` has it
    assert series["John Carter"]["y"] == [81.2] and series["John Carter"]["calls"] == [2]
    assert series["John Carter"]["link"] == f"/calls?{NOVEMBER}&agent_id={carter_id(app)}"
    # the weeks with a scored call: of the five November touches, the week of 2 November
    assert data["scoreTrend"]["periods"] == ["2026-W45"]
    assert data["scoreTrend"]["periodRanges"] == [["2026-11-02", "2026-11-08"]]
    everyone = data["scoreTrend"]["allAgents"]
    assert (everyone["name"], everyone["y"], everyone["calls"]) == ("All agents", [81.2], [4])
    assert everyone["link"] == f"/calls?{NOVEMBER}"
    assert data["scoreTrend"]["target"] == {"value": 85.0, "label": "target 85"}
    item_pass = data["itemPass"]
    assert item_pass["y"][item_pass["x"].index("Offer of further help")] == 50.0
    assert data["fcrQueue"]["x"] == ["billing", "card", "dostawa"]
    assert data["fcrQueue"]["y"] == [100.0, 100.0, 100.0]


def test_names_are_escaped_in_the_tables_and_the_charts(app, world, session):
    agent = session.scalars(select(Agent).where(Agent.external_id == "A02")).one()
    agent.name = '<img src=x onerror="alert(1)">'
    session.commit()
    html = _page(app, world)
    assert "<img src=x" not in html
    names = [s["name"] for s in _chart_data(html)["scoreTrend"]["series"]]
    assert '&lt;img src=x onerror=&#34;alert(1)&#34;&gt;' in names  # Plotly shows it as text


def test_polish(app, world):
    supervisor = session_browser(app, world.users["supervisor"])
    supervisor.post("/language", data={"lang": "pl", "next": "/dashboard"})
    html = supervisor.get(f"/dashboard?{NOVEMBER}").get_data(as_text=True)
    assert "Pulpit" in html and "Trend wyników według konsultantów" in html
    assert _rows(html, "table-item-pass")["Powitanie"][0][1] == "100,0%"
    assert _chart_data(html)["separators"] == ", "


def test_nav_link_for_supervisors_and_admins_only(app, world):
    for role in ("supervisor", "admin"):
        html = session_browser(app, world.users[role]).get("/calls").get_data(as_text=True)
        assert 'id="nav-dashboard" href="/dashboard"' in html
    agent = session_browser(app, world.users["agent"])
    assert 'id="nav-dashboard"' not in agent.get("/my/calls").get_data(as_text=True)
    assert agent.get("/dashboard").status_code == 403


def test_plotly_is_served_from_the_installed_package(app, world):
    html = _page(app, world)
    assert f'<script src="/vendor/plotly.min.js?v={plotly_version()}"></script>' in html
    assert '<script src="/static/dashboard.js"></script>' in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in s or 'type="application/json"' in s for s in scripts)  # no inline JS
    response = session_browser(app, None).get(f"/vendor/plotly.min.js?v={plotly_version()}")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.content_length > 1_000_000 and b"plotly.js" in response.data[:200]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    again = session_browser(app, None).get(
        "/vendor/plotly.min.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_maplibre_style_id_is_found_in_the_installed_plotly():
    style_id = plotly_maplibre_style_id()
    assert style_id is not None and re.fullmatch(r"[0-9a-f]{64}", style_id)
    assert maplibre_style_id('var e=document.createElement("style");e.id="x"') is None
    assert maplibre_style_id("") is None


def test_an_empty_style_placeholder_comes_before_plotly(app, world, monkeypatch):
    """It keeps Plotly.js from adding MapLibre's CSS, which the CSP would refuse."""
    html = _page(app, world)
    placeholder = f'<style id="{plotly_maplibre_style_id()}"></style>'
    assert html.index(placeholder) < html.index('<script src="/vendor/plotly.min.js')
    monkeypatch.setattr("callqa.web.dashboard_views.plotly_maplibre_style_id", lambda: None)
    assert "<style" not in _page(app, world)  # not found in another Plotly: none at all


def test_the_csp_allows_only_an_empty_style_element_beyond_own_files(app, world):
    policy = session_browser(app, world.users["supervisor"]).get(
        "/dashboard").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


def carter_id(app) -> str:
    with app.extensions["callqa_sessions"]() as session:
        return str(session.scalar(select(Agent.id).where(Agent.external_id == "A11")))


def _tiles(html: str) -> dict[str, dict[str, str]]:
    """Each KPI tile's data attributes and texts, by its key."""
    tiles = {}
    for match in re.finditer(r'<div class="kpi-tile[^"]*" id="kpi-([^"]+)"(.*?)\n    </div>',
                             html, re.S):
        body = match.group(2)

        def text(css_class: str, body: str = body) -> str | None:
            found = re.search(rf'<[a-z0-9]+ class="{css_class}[^"]*">(.*?)</', body, re.S)
            return " ".join(found.group(1).split()) if found else None
        attributes = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', body.split(">", 1)[0]))
        tiles[match.group(1)] = {**attributes, "name": text("kpi-name"),
                                 "value": text("kpi-value"),
                                 "change": text("kpi-change-text"),
                                 "change_class": re.search(r'class="kpi-change ([^"]*)"',
                                                           body).group(1).strip(),
                                 "target": text("kpi-target"),
                                 "class": re.search(r'class="kpi-tile([^"]*)"',
                                                    html[match.start():]).group(1).strip()}
    return tiles


def test_tiles_show_the_figures_beside_the_previous_days(app, world):
    html = _page(app, world, LATE_WEEK)
    tiles = _tiles(html)
    assert list(tiles) == ["calls", "score", "fcr", "item-greeting", "item-thanks",
                           "item-goodbye"]
    calls, score, fcr = tiles["calls"], tiles["score"], tiles["fcr"]
    assert (calls["name"], calls["value"], calls["change"]) == ("Calls scored", "3", "+2 calls")
    assert (calls["data-direction"], calls["change_class"]) == ("up", "up")  # neither good nor bad
    assert (score["value"], score["change"], score["data-direction"]) == (
        "79.2", "−8.3 pts", "down")
    assert score["change_class"] == "down bad"
    assert (score["target"], score["class"]) == ("target 85", "below-target")
    assert (float(score["data-value"]), float(score["data-previous"])) == (
        pytest.approx(237.5 / 3), 87.5)
    assert (fcr["value"], fcr["change"], fcr["data-direction"]) == ("100.0%", "0.0 pp", "same")
    assert fcr["target"] is None  # no FCR target by default
    greeting = tiles["item-greeting"]
    assert (greeting["name"], greeting["value"], greeting["change"]) == (
        "Pass rate: Greeting", "100.0%", "0.0 pp")
    assert "Changes against the 4 days before: 2026-11-01 to 2026-11-04." in html
    assert html.index('id="kpi-tiles"') < html.index('id="panel-score-trend"')


def test_tiles_say_no_data_when_the_previous_days_had_none(app, world):
    tiles = _tiles(_page(app, world))  # 2 to 31 October: no call
    assert {tile["change"] for tile in tiles.values()} == {"no data"}
    assert {tile["data-direction"] for tile in tiles.values()} == {"none"}
    assert tiles["calls"]["value"] == "4" and tiles["calls"]["data-previous"] == ""
    nothing = _tiles(_page(app, world, "date_from=2025-01-01&date_to=2025-01-31"))
    assert (nothing["score"]["value"], nothing["fcr"]["value"]) == ("-", "-")
    assert nothing["calls"]["value"] == "0" and nothing["score"]["class"] == ""


def test_a_range_without_scored_calls_links_to_the_days_up_to_the_last(app, world):
    html = _page(app, world, "date_from=2025-01-01&date_to=2025-01-31&period=day")
    assert "No call was scored in this range; the last one on 2026-11-08." in html
    link = re.search(r'<a href="([^"]+)" id="latest-data-link">', html).group(1)
    assert link == ("/dashboard?date_from=2026-10-09&amp;date_to=2026-11-08&amp;period=day")
    moved = _page(app, world, link.replace("&amp;", "&").split("?", 1)[1])
    assert 'id="latest-data"' not in moved
    assert _tiles(moved)["calls"]["value"] == "4"
    assert 'id="latest-data"' not in _page(app, world, LATE_WEEK)
    add_teams(app, world)  # North is John Carter alone: his last call, cen028 on 5 November
    mine = _page(app, world, "date_from=2025-01-01&date_to=2025-01-31", "team_supervisor")
    assert "the last one on 2026-11-05." in mine


def test_tiles_in_polish(app, world):
    supervisor = session_browser(app, world.users["supervisor"])
    supervisor.post("/language", data={"lang": "pl", "next": "/dashboard"})
    html = supervisor.get(f"/dashboard?{LATE_WEEK}").get_data(as_text=True)
    tiles = _tiles(html)
    assert (tiles["calls"]["name"], tiles["calls"]["change"]) == ("Ocenione rozmowy",
                                                                  "+2 rozmowy")
    assert (tiles["score"]["value"], tiles["score"]["change"]) == ("79,2", "−8,3 pkt")
    assert tiles["score"]["target"] == "cel 85"
    assert (tiles["fcr"]["value"], tiles["fcr"]["change"]) == ("100,0%", "0,0 p.p.")
    assert tiles["item-thanks"]["name"] == "Odsetek zaliczeń: Podziękowanie"
    assert "Zmiany względem 4 dni wcześniej: 01.11.2026–04.11.2026." in html
    assert _chart_data(html)["scoreTrend"]["target"]["label"] == "cel 85"
    empty = supervisor.get("/dashboard?date_from=2025-01-01&date_to=2025-01-31")
    assert "brak danych" in empty.get_data(as_text=True)
    assert "ostatnią oceniono 08.11.2026." in empty.get_data(as_text=True)


def test_targets_and_tile_items_come_from_the_configuration(world, settings):
    configured = load_settings({"CALLQA_TARGET_SCORE": "82.5", "CALLQA_TARGET_FCR_RATE": "90",
                                "CALLQA_DASHBOARD_ITEMS": "thanks"})
    assert (configured.target_score, configured.target_fcr_rate) == (82.5, 90.0)
    assert configured.dashboard_items == "thanks"
    assert (settings.target_score, settings.target_fcr_rate) == (85.0, 0.0)  # the defaults
    halves = make_app(replace(settings, target_score=82.5))
    try:
        assert _tiles(_page(halves, world, LATE_WEEK))["score"]["target"] == "target 82.5"
    finally:
        dispose(halves)
    app = make_app(replace(settings, target_score=0.0, target_fcr_rate=90.0,
                           dashboard_items="goodbye, no_such_item,greeting,goodbye"))
    try:
        html = _page(app, world, LATE_WEEK)
        tiles = _tiles(html)
        assert list(tiles) == ["calls", "score", "fcr", "item-goodbye", "item-greeting"]
        assert tiles["score"]["target"] is None and _chart_data(html)["scoreTrend"]["target"] \
            is None
        assert (tiles["fcr"]["target"], tiles["fcr"]["class"]) == ("target 90%", "on-target")
    finally:
        dispose(app)


def test_a_team_supervisors_tiles_count_only_the_teams_calls(app, world):
    """North is John Carter alone: cen028 in the 5 to 8 November, cen025 the days before."""
    add_teams(app, world)
    tiles = _tiles(_page(app, world, LATE_WEEK, "team_supervisor"))
    assert (tiles["calls"]["value"], tiles["calls"]["change"]) == ("1", "0 calls")
    assert (tiles["score"]["value"], float(tiles["score"]["data-previous"])) == ("75.0", 87.5)
    other = session_browser(app, world.users["team_supervisor"]).get(
        f"/dashboard?{LATE_WEEK}&agent_id={world.agents['A02']}").get_data(as_text=True)
    assert _tiles(other)["calls"]["value"] == "0"  # another team's agent: nothing
    assert _tiles(other)["calls"]["change"] == "no data"
    everyone = _tiles(_page(app, world, LATE_WEEK, "supervisor"))
    assert everyone["calls"]["value"] == "3"


def test_agents_never_reach_the_dashboards_figures(app, world):
    for role in ("agent", "other_agent"):
        client = session_browser(app, world.users[role])
        for query in ("", LATE_WEEK, f"{LATE_WEEK}&agent_id=1&period=day"):
            response = client.get(f"/dashboard?{query}")
            assert response.status_code == 403
            assert 'id="kpi-tiles"' not in response.get_data(as_text=True)
    assert session_browser(app, None).get(f"/dashboard?{LATE_WEEK}").status_code == 302

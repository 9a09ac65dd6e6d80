"""CSV export of the supervisors' filtered call list: every matching call, not one page."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select
from webtools import session_browser

from callqa.models import Agent, Call, User
from callqa.queries import export as call_export
from callqa.services.reviewing import override_item


def _export(browser, query: str = "") -> list[dict[str, str]]:
    response = browser.get(f"/calls.csv{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="calls-')
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_the_export_holds_every_filtered_call_in_list_order(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    rows = _export(supervisor, "?per_page=2&page=2")  # paging does not limit an export
    assert list(rows[0]) == list(call_export.COLUMNS)
    assert {int(r["call_id"]) for r in rows} == set(world.calls.values()) | set(
        world.audio.values())
    carter = session.scalar(select(Agent.id).where(Agent.external_id == "A11"))
    rows = _export(supervisor, f"?agent_id={carter}&status=done&sort=score&descending=0")
    assert [int(r["call_id"]) for r in rows] == [world.calls["cen028"], world.calls["cen025"]]
    cen028 = rows[0]
    assert cen028["agent_id"] == "A11" and cen028["agent_name"] == "John Carter"
    assert cen028["failed_items"] == "anything_else resolution_check"
    assert cen028["fcr_status"] == "fcr"
    assert float(cen028["score"]) == session.get(Call, world.calls["cen028"]).score.score
    assert cen028["reviewed"] == "no" and cen028["language"] == "en"
    queued = _export(supervisor, "?status=queued")
    assert {r["status"] for r in queued} == {"queued"} and queued[0]["score"] == ""


def test_the_export_follows_overrides(app, world, session):
    supervisor = session.get(User, world.users["supervisor"])
    call = session.get(Call, world.calls["cen028"])
    override_item(session, call, "anything_else", "passed", "Offered help.", supervisor)
    session.commit()
    browser = session_browser(app, world.users["supervisor"])
    rows = _export(browser, "?failed_item=anything_else")
    assert world.calls["cen028"] not in {int(r["call_id"]) for r in rows}
    row = next(r for r in _export(browser) if int(r["call_id"]) == world.calls["cen028"])
    assert row["failed_items"] == "resolution_check" and float(row["score"]) == 87.5


def test_a_cell_a_spreadsheet_would_run_is_neutralised(app, world, session):
    agent = session.scalar(select(Agent).where(Agent.external_id == "A11"))
    agent.name = '=HYPERLINK("http://evil.example","x")'
    session.commit()
    rows = _export(session_browser(app, world.users["supervisor"]))
    names = {r["agent_name"] for r in rows if r["agent_id"] == "A11"}
    assert names == {"'" + agent.name}


def test_the_list_links_to_the_export_with_its_filters(app, world):
    html = session_browser(app, world.users["supervisor"]).get(
        "/calls?language=pl&page=2").get_data(as_text=True)
    assert 'href="/calls.csv?language=pl" id="export-csv"' in html


def test_an_abandoned_download_gives_its_connection_back(app, world):
    browser = session_browser(app, world.users["supervisor"])
    engine = app.extensions["callqa_engine"]
    response = browser.client.get("/calls.csv", buffered=False)
    body = iter(response.response)
    assert next(body).startswith(b"\xef\xbb\xbf")  # the BOM
    assert next(body).startswith(b"call_id,")
    assert next(body)[:1].isdigit()  # a first call: the query is running
    assert engine.pool.checkedout() == 1  # the export's own session, mid-stream
    response.close()
    assert engine.pool.checkedout() == 0

"""Customers' voice beside the checklist: survey results on the call page (the agent's own
too), the perception gap on the dashboard, and test calls kept out of every figure but shown
in their own list."""
from __future__ import annotations

import re
import statistics

from webtools import session_browser

from callqa.models import Call
from callqa.qa.perception import nps_index, pearson
from callqa.qa.surveys import parse_survey
from callqa.services.surveys import record_survey

# (sample, NPS, CSAT): cen025 and cen028 are John Carter's (A11), cpl004 Piotr's, cpl005
# Tomasz Lewandowski's; the sample scores are what the default scorecard gives them.
ANSWERS = [("cen025", 9, 5), ("cen028", 4, 2), ("cpl004", 7, 3), ("cpl005", 10, 5)]


def _survey_all(app, world) -> dict[str, float]:
    settings = app.config["CALLQA_SETTINGS"]
    scores = {}
    with app.extensions["callqa_sessions"].begin() as session:
        for sample, nps, csat in ANSWERS:
            answer = parse_survey({"call_id": world.calls[sample], "nps": nps, "csat": csat,
                                   "comment": f"About {sample}."})
            record_survey(session, settings, answer, "api")
            scores[sample] = session.get(Call, world.calls[sample]).score.score
    return scores


def _row(html: str, table: str, kind: str, group_id: int | None) -> str:
    table_html = re.search(rf'<table id="{table}".*?</table>', html, re.S).group(0)
    key = "" if group_id is None else str(group_id)
    return re.search(rf'<tr class="perception-row" data-{kind}-id="{key}">.*?</tr>',
                     table_html, re.S).group(0)


def _cell(row: str, name: str) -> str:
    return re.search(rf'data-{name}="([^"]*)"', row).group(1)


def test_the_dashboard_sets_qa_score_and_fcr_beside_nps_and_csat(app, world, session):
    scores = _survey_all(app, world)
    html = session_browser(app, world.users["supervisor"]).get("/dashboard").get_data(
        as_text=True)
    john = session.get(Call, world.own_call).agent_id
    row = _row(html, "table-perception-agent", "agent", john)
    assert _cell(row, "surveyed") == "2"
    assert float(_cell(row, "score")) == (scores["cen025"] + scores["cen028"]) / 2
    assert float(_cell(row, "nps")) == 0.0  # one promoter (9), one detractor (4)
    assert float(_cell(row, "csat")) == 3.5
    assert _cell(row, "r-nps") == ""  # two calls: no correlation shown
    total = re.search(r'<table id="table-perception-agent".*?<tfoot>(.*?)</tfoot>', html,
                      re.S).group(1)
    assert _cell(total, "surveyed") == "4"
    xs = [scores[s] for s, _, _ in ANSWERS]
    expected_r = statistics.correlation(xs, [float(n) for _, n, _ in ANSWERS])
    assert abs(float(_cell(total, "r-nps")) - expected_r) < 1e-9
    assert float(_cell(total, "nps")) == nps_index([9, 4, 7, 10]) == 25.0
    assert "table-perception-queue" in html


def test_pearson_and_nps_by_hand():
    assert pearson([1, 2, 3], [2, 4, 6]) == 1.0
    assert pearson([1, 2, 3], [3, 2, 1]) == -1.0
    assert pearson([1, 2], [1, 2]) is None  # too few pairs
    assert pearson([80, 80, 80], [1, 5, 9]) is None  # the score never varies
    assert nps_index([10, 9, 8, 7, 0]) == 20.0 and nps_index([]) is None


def test_survey_results_are_on_the_call_page_also_for_the_agent(app, world):
    _survey_all(app, world)
    agent = session_browser(app, world.users["agent"])
    page = agent.get(f"/calls/{world.own_call}").get_data(as_text=True)
    assert 'id="survey-nps">9<' in page and 'id="survey-csat">5<' in page
    assert "About cen025." in page
    assert 'id="test-call-form"' not in page  # only supervisors mark test calls


def test_the_agents_list_of_calls_shows_the_survey_of_calls_that_have_one(app, world):
    _survey_all(app, world)  # John Carter's transcripts; not his recordings
    page = session_browser(app, world.users["agent"]).get("/my/calls?per_page=100").get_data(
        as_text=True)
    rows = dict(re.findall(r'<tr class="call-row" data-call-id="(\d+)">(.*?)</tr>', page, re.S))
    assert len(rows) == 4  # his two samples, as transcripts and as recordings
    for sample, nps, csat in ANSWERS[:2]:
        cell = re.search(r'<td class="survey-cell">(.*?)</td>', rows[str(world.calls[sample])],
                         re.S).group(1)
        assert f'data-nps="{nps}" data-csat="{csat}"' in cell
        assert " ".join(re.sub(r"<[^>]+>", " ", cell).split()) == f"NPS {nps} CSAT {csat}"
        assert f'title="About {sample}."' in cell
        unsurveyed = rows[str(world.audio[sample])]
        assert re.search(r'<td class="survey-cell">\s*-\s*</td>', unsurveyed)


def test_a_test_call_is_scored_but_kept_out_of_the_figures(app, world, session):
    _survey_all(app, world)
    supervisor = session_browser(app, world.users["supervisor"])
    before = supervisor.get("/dashboard").get_data(as_text=True)
    total = re.search(r'<table id="table-perception-agent".*?<tfoot>(.*?)</tfoot>', before,
                      re.S).group(1)
    assert _cell(total, "surveyed") == "4"
    marked = supervisor.post(f"/calls/{world.own_call}/test-call", data={"test_call": "1"})
    assert marked.status_code == 303
    call = session.get(Call, world.own_call)
    session.refresh(call)
    assert call.test_call and call.score is not None  # still scored
    after = supervisor.get("/dashboard").get_data(as_text=True)
    total = re.search(r'<table id="table-perception-agent".*?<tfoot>(.*?)</tfoot>', after,
                      re.S).group(1)
    assert _cell(total, "surveyed") == "3"
    trend_total = re.search(r'<table id="table-score-trend".*?<tfoot>(.*?)</tfoot>', after,
                            re.S).group(1)
    assert _cell(trend_total, "calls") == "3"  # of the 4 scored sample calls
    fcr_total = re.search(r'<table id="table-fcr-agent".*?<tfoot>(.*?)</tfoot>', after,
                          re.S).group(1)
    assert _cell(fcr_total, "calls") == "3"
    link = re.search(r'<p class="note" id="test-calls-link"><a href="([^"]+)"', after).group(1)
    listed = supervisor.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.findall(r'class="call-row" data-call-id="(\d+)"', listed) == [str(call.id)]
    page = supervisor.get(f"/calls/{call.id}").get_data(as_text=True)
    assert 'id="test-call-notice"' in page
    supervisor.post(f"/calls/{world.own_call}/test-call", data={"test_call": "0"})
    session.refresh(call)
    assert not call.test_call


def test_test_calls_come_marked_in_the_metadata(app, world, tmp_path, session):
    import json

    from callqa.qa.metadata import parse_metadata

    assert parse_metadata({"mystery_shopper": True}, "x").test_call is True
    assert parse_metadata({"test_call": "no"}, "x").test_call is False
    assert parse_metadata({}, "x").test_call is None
    entry = {"language": "en", "mystery_shopper": True, "agent": {"id": "A11"},
             "utterances": [{"speaker": "agent", "start": 0, "end": 2, "text": "Hello."}]}
    path = tmp_path / "shopper.json"
    path.write_text(json.dumps(entry))
    from callqa.qa.metadata import transcript_metadata
    from callqa.services.ingest import ingest_transcript

    outcome = ingest_transcript(app.extensions["callqa_sessions"],
                                app.config["CALLQA_SETTINGS"], path, transcript_metadata(path))
    assert session.get(Call, outcome.call_id).test_call is True


def test_the_upload_form_marks_a_test_call(app, world, session):
    import io

    from sqlalchemy import select
    from webtools import SAMPLES

    supervisor = session_browser(app, world.users["supervisor"])
    wav = (SAMPLES / "cpl005.wav").read_bytes()
    data = wav[:44] + bytes(len(wav) - 44)  # new audio: a header and silence
    response = supervisor.post("/upload", content_type="multipart/form-data", data={
        "recording": (io.BytesIO(data), "shopper.wav"), "language": "pl", "test_call": "1",
        "external_id": "MYSTERY-1"})
    assert response.status_code == 303
    call = session.scalars(select(Call).where(Call.external_id == "MYSTERY-1")).one()
    assert call.test_call is True

"""The "To review" queue through the web: the items still in review, oldest call first, the
filters and pages, deciding one (an override marked as decided by listening, the call's score
recomputed, a comment needed only against the machine's suggestion), and the window of the
recording it plays: the agent's channel of a stereo call, with byte ranges."""
from __future__ import annotations

import io
import re
import wave

import numpy as np
import pytest
from reviewtools import ingest_unlabelled_transcripts, transcribe
from sqlalchemy import select
from webtools import session_browser

from callqa.models import Agent, Call, ItemOverride, ItemResult, Queue
from callqa.qa.audio import decode_audio
from callqa.queries.review_queue import ReviewQueueFilters, review_queue

# The unlabelled transcripts' items in review, as the default scorecard leaves them: every
# phrase found may be the customer's. Oldest call first: cen025 (4 Nov), cen028 (5 Nov 08:33),
# cpl005 (5 Nov 17:14), cpl004 (8 Nov); in each, the scorecard's order.
IN_REVIEW = {
    "cen025": ["greeting", "introduction", "thanks", "goodbye"],
    "cen028": ["greeting", "introduction", "thanks", "goodbye"],
    "cpl005": ["greeting", "introduction", "thanks", "goodbye", "anything_else"],
    "cpl004": ["greeting", "introduction", "thanks", "goodbye"],
}
_ENTRY = re.compile(r'id="entry-(\d+)-([a-z_]+)"')


@pytest.fixture
def unlabelled(app, world, tmp_path):
    return ingest_unlabelled_transcripts(app, tmp_path)


def _entries(browser, query: str = "") -> list[tuple[int, str]]:
    response = browser.get(f"/review-queue{query}")
    assert response.status_code == 200
    return [(int(call), item) for call, item in _ENTRY.findall(response.get_data(as_text=True))]


def _expected(calls: dict[str, int], names=IN_REVIEW, item: str | None = None):
    return [(calls[name], i) for name in names for i in IN_REVIEW[name] if item in (None, i)]


def _decide(browser, call_id: int, item: str, verdict: str, comment: str = "",
            next_url: str = "/review-queue"):
    return browser.post(f"/calls/{call_id}/items/{item}/decide",
                        data={"verdict": verdict, "comment": comment, "next": next_url})


def _flashes(browser) -> str:
    return browser.get("/review-queue").get_data(as_text=True)


def test_the_queue_is_every_item_in_review_oldest_call_first(app, world, unlabelled):
    supervisor = session_browser(app, world.users["supervisor"])
    assert _entries(supervisor) == _expected(unlabelled)  # 17: the labelled calls have none
    page = supervisor.get("/review-queue").get_data(as_text=True)
    assert 'data-total="17"' in page
    entry = page[page.index(f'id="entry-{unlabelled["cen028"]}-greeting"'):]
    entry = entry[:entry.index("</section>")]
    assert 'data-suggested="passed"' in entry  # the greeting was heard, by someone
    assert "<mark>Good morning</mark>" in entry and "speaker unknown (mono recording)" in entry
    assert 'data-start="0.0" data-end="20.5"' in entry  # the first 20 s, padded by 0.5 s
    assert "No recording: decide from the transcript." in entry


def test_filters_by_item_agent_and_queue(app, world, unlabelled, session):
    supervisor = session_browser(app, world.users["supervisor"])
    carter = session.scalar(select(Agent.id).where(Agent.external_id == "A11"))
    lewandowski = session.scalar(select(Agent.id).where(Agent.external_id == "A04"))
    dostawa = session.scalar(select(Queue.id).where(Queue.name == "dostawa"))
    assert _entries(supervisor, "?item_id=greeting") == _expected(unlabelled, item="greeting")
    assert _entries(supervisor, f"?agent_id={carter}") == _expected(
        unlabelled, ["cen025", "cen028"])
    assert _entries(supervisor, f"?queue_id={dostawa}") == _expected(
        unlabelled, ["cpl005", "cpl004"])
    assert _entries(supervisor, f"?agent_id={lewandowski}&item_id=anything_else") == [
        (unlabelled["cpl005"], "anything_else")]
    assert _entries(supervisor, "?item_id=greeting&agent_id=oops") == _expected(
        unlabelled, item="greeting")  # a bad number is ignored


def test_pages(app, world, unlabelled, session):
    everything = _expected(unlabelled)
    pages = [review_queue(session, ReviewQueueFilters(), page, per_page=5) for page in (1, 4)]
    assert [(p.total, p.pages) for p in pages] == [(17, 4), (17, 4)]
    assert [(e.call.id, e.item.item_id) for e in pages[0].entries] == everything[:5]
    assert [(e.call.id, e.item.item_id) for e in pages[1].entries] == everything[15:]
    past_the_end = review_queue(session, ReviewQueueFilters(), 9, per_page=5)
    assert (past_the_end.page, len(past_the_end.entries)) == (4, 2)


def test_deciding_writes_an_override_marked_by_listening(app, world, unlabelled, session):
    call_id = unlabelled["cen028"]
    passed_before = session.get(Call, call_id).score.passed_weight
    supervisor = session_browser(app, world.users["supervisor"])
    response = _decide(supervisor, call_id, "greeting", "passed",
                       next_url="/review-queue?agent_id=1&page=1")
    assert response.status_code == 303
    assert response.location == "/review-queue?agent_id=1&page=1"  # back where it was
    session.expire_all()
    [row] = session.scalars(select(ItemOverride)).all()
    assert (row.call_id, row.item_id, row.old_verdict, row.new_verdict, row.source) == (
        call_id, "greeting", "review", "passed", "override")
    assert row.decided_by_listening and row.comment == "" and row.user.username == "supervisor"
    greeting = session.scalars(select(ItemResult).where(
        ItemResult.call_id == call_id, ItemResult.item_id == "greeting")).one()
    assert (greeting.verdict, greeting.effective_verdict) == ("review", "passed")
    call = session.get(Call, call_id)
    assert call.score.passed_weight == passed_before + 1 and call.score.needs_review  # 3 more
    assert (call_id, "greeting") not in _entries(supervisor)
    history = supervisor.get(f"/calls/{call_id}").get_data(as_text=True)
    assert 'data-listened="1"' in history and "decided by listening" in history


def test_a_comment_is_needed_only_against_the_suggestion(app, world, unlabelled, session):
    call_id = unlabelled["cpl004"]
    supervisor = session_browser(app, world.users["supervisor"])
    assert _decide(supervisor, call_id, "thanks", "failed").status_code == 303
    assert "Deciding against the machine&#39;s suggestion needs a comment." in _flashes(supervisor)
    assert session.scalars(select(ItemOverride)).all() == []
    assert _decide(supervisor, call_id, "thanks", "failed",
                   "The customer thanked; the agent did not.").status_code == 303
    assert _decide(supervisor, call_id, "goodbye", "passed", "Clear goodbye.").status_code == 303
    session.expire_all()
    rows = session.scalars(select(ItemOverride).order_by(ItemOverride.id)).all()
    assert [(r.item_id, r.new_verdict, r.comment, r.decided_by_listening) for r in rows] == [
        ("thanks", "failed", "The customer thanked; the agent did not.", True),
        ("goodbye", "passed", "Clear goodbye.", True)]


def test_only_pass_or_fail_and_only_items_still_in_review(app, world, unlabelled, session):
    supervisor = session_browser(app, world.users["supervisor"])
    mono, labelled = unlabelled["cpl005"], world.calls["cpl005"]
    assert _decide(supervisor, mono, "greeting", "not_applicable", "No.").status_code == 303
    assert "Choose pass or fail." in _flashes(supervisor)
    assert _decide(supervisor, labelled, "greeting", "failed", "Already decided.").status_code \
        == 303
    assert "This item is already decided." in _flashes(supervisor)
    assert _decide(supervisor, mono, "greeting", "passed").status_code == 303
    assert _decide(supervisor, mono, "greeting", "failed", "Twice?").status_code == 303
    assert "This item is already decided." in _flashes(supervisor)
    assert _decide(supervisor, mono, "no_such_item", "passed").status_code == 404
    session.expire_all()
    assert [(r.call_id, r.item_id) for r in session.scalars(select(ItemOverride))] == [
        (mono, "greeting")]


def test_an_outside_next_address_goes_back_to_the_queue(app, world, unlabelled):
    supervisor = session_browser(app, world.users["supervisor"])
    response = _decide(supervisor, unlabelled["cpl004"], "greeting", "passed",
                       next_url="https://elsewhere.example/review-queue")
    assert response.location == "/review-queue"
    for target in ("/review-queue?\r\nLocation: //evil.example", "/review-queue?%0d%0ax"):
        response = _decide(supervisor, unlabelled["cpl004"], "greeting", "passed",
                           next_url=target)
        assert (response.status_code, response.location) == (303, "/review-queue"), target


def test_a_transcript_has_no_window_to_play(app, world, unlabelled):
    supervisor = session_browser(app, world.users["supervisor"])
    assert supervisor.get(f"/calls/{unlabelled['cen028']}/items/greeting/window.wav"
                          ).status_code == 404


def _wav(data: bytes) -> tuple[wave.Wave_read, np.ndarray]:
    reader = wave.open(io.BytesIO(data))
    samples = np.frombuffer(reader.readframes(reader.getnframes()), "<i2") / 32767.0
    return reader, samples


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # audio, not the database
def test_the_window_is_the_agents_channel_of_a_stereo_call(app, world, transcriber, session):
    call_id = world.audio["cen025"]  # stereo, agent on the left
    transcribe(app, transcriber, call_id)
    supervisor = session_browser(app, world.users["supervisor"])
    url = f"/calls/{call_id}/items/goodbye/window.wav"
    whole = supervisor.get(url)
    assert whole.status_code == 200 and whole.mimetype == "audio/wav"
    assert whole.headers["X-Callqa-Channel"] == "agent"
    assert whole.headers["Cache-Control"] == "no-store"
    start, end = (float(s) for s in whole.headers["X-Callqa-Window"].split("-"))
    looked_in = session.scalars(select(ItemResult).where(
        ItemResult.call_id == call_id, ItemResult.item_id == "goodbye")).one().detail["looked_in"]
    assert (start, end) == (round(looked_in["start"] - 0.5, 2),  # padded a little
                            round(min(looked_in["end"] + 0.5, 42.2), 2))
    reader, samples = _wav(whole.data)
    assert (reader.getnchannels(), reader.getframerate()) == (1, 16000)
    assert abs(len(samples) / 16000 - (end - start)) < 0.01

    call = session.get(Call, call_id)
    audio = decode_audio(app.config["CALLQA_SETTINGS"].recordings_dir / call.storage_name)
    first = int(round(start * 16000))
    left, right = (channel[first:first + len(samples)] for channel in audio.channels)
    assert np.abs(samples - left).max() < 1e-3  # the agent's channel, as decoded
    assert np.abs(samples - right).max() > 0.05  # not the customer's

    ranged = supervisor.get(url, headers={"Range": "bytes=44-1043"})
    assert ranged.status_code == 206 and len(ranged.data) == 1000
    assert ranged.headers["Content-Range"] == f"bytes 44-1043/{len(whole.data)}"
    assert ranged.data == whole.data[44:1044]

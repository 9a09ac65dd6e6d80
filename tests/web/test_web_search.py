"""Search by what was said: accents and case ignored, the speaker as an option, hits linking
to the moment on the call page, only in the calls the user may see, and the index kept in
step as transcripts are stored again, redacted or erased."""
from __future__ import annotations

import re

from webtools import session_browser

from callqa.models import Call, Utterance
from callqa.models.rows import utterance_row
from callqa.qa.transcript import Speaker
from callqa.qa.transcript import Utterance as Said
from callqa.queries.search import search_utterances
from callqa.services.erasure import erase_customer

TURTLE = "Żółw jest bardzo zadowolony z obsługi"


def _say(app, call_id: int, speaker: str, text: str, start: float = 61.5) -> None:
    with app.extensions["callqa_sessions"].begin() as session:
        call = session.get(Call, call_id)
        call.utterances.append(Utterance(position=len(call.utterances), speaker=speaker,
                                         start_s=start, end_s=start + 2, text=text, words=[]))


def _hits(browser, query: str, speaker: str = "any") -> list[tuple[int, str]]:
    page = browser.get("/search", query_string={"q": query, "speaker": speaker})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return [(int(call), when) for call, when in re.findall(
        r'href="/calls/(\d+)#t=([\d.]+)"', html)]


def test_search_ignores_accents_and_case_and_filters_by_speaker(app, world):
    _say(app, world.own_call, "customer", TURTLE)
    supervisor = session_browser(app, world.users["supervisor"])
    assert _hits(supervisor, "zolw") == [(world.own_call, "61.50")]
    assert _hits(supervisor, "ŻÓŁW") == [(world.own_call, "61.50")]
    assert _hits(supervisor, "bardzo zadowolony") == [(world.own_call, "61.50")]
    assert _hits(supervisor, "zadowolony bardzo") == []  # a phrase, in its order
    assert _hits(supervisor, "zolw", "customer") == [(world.own_call, "61.50")]
    assert _hits(supervisor, "zolw", "agent") == []
    page = supervisor.get("/search?q=zadowolony").get_data(as_text=True)
    assert TURTLE in page and 'class="search-hit"' in page
    assert 'id="search-form"' in supervisor.get("/calls").get_data(as_text=True)


def test_agents_find_only_their_own_calls(app, world):
    _say(app, world.own_call, "agent", "Tego niestety nie wiem", 12.0)
    _say(app, world.other_call, "agent", "Nie wiem, sprawdzę", 30.0)
    supervisor = session_browser(app, world.users["supervisor"])
    assert sorted(_hits(supervisor, "nie wiem", "agent")) == sorted(
        [(world.own_call, "12.00"), (world.other_call, "30.00")])
    agent = session_browser(app, world.users["agent"])
    assert _hits(agent, "nie wiem") == [(world.own_call, "12.00")]
    other = session_browser(app, world.users["other_agent"])
    assert _hits(other, "nie wiem") == [(world.other_call, "30.00")]
    unlinked = session_browser(app, world.users["unlinked"])
    assert _hits(unlinked, "nie wiem") == []
    assert 'id="search-form"' in agent.get("/my/calls").get_data(as_text=True)


def test_the_index_follows_retranscription_and_erasure(app, world, session):
    _say(app, world.own_call, "customer", TURTLE)
    sessions = app.extensions["callqa_sessions"]
    with sessions.begin() as s:  # transcribed again, as the worker stores it
        call = s.get(Call, world.own_call)
        call.utterances = [utterance_row(0, Said(speaker=Speaker.CUSTOMER, start=3.0, end=4.0,
                                                 text="Dzień dobry, mówi Łucja"))]
    assert search_utterances(session, "zolw").hits == []
    [hit] = search_utterances(session, "lucja").hits
    assert (hit.call_id, hit.position, hit.start_s) == (world.own_call, 0, 3.0)
    with sessions.begin() as s:  # the text changed in place (a redaction)
        s.get(Call, world.own_call).utterances[0].text = "Dzień dobry, mówi [imię]"
    assert search_utterances(session, "lucja").hits == []
    assert len(search_utterances(session, "dzien dobry mowi").hits) == 1
    with sessions.begin() as s:
        s.get(Call, world.own_call).customer_phone = "+48 600 100 200"
    erase_customer(sessions, app.config["CALLQA_SETTINGS"], "+48 600 100 200", "test")
    session.expire_all()
    assert session.get(Call, world.own_call) is None
    assert search_utterances(session, "dzien dobry mowi").hits == []

"""The call page: transcript in speaker columns with seekable utterances, evidence linked and
highlighted, metrics, FCR with reasons; in Polish and English."""
from __future__ import annotations

import json
import re

from webtools import Browser, session_browser

from callqa.models import User
from callqa.qa.metadata import transcript_metadata
from callqa.services.ingest import ingest_transcript


def _ingest(app, tmp_path, name: str, timing: list[dict], **meta) -> int:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"id": name, "started_at": "2026-11-10T10:00:00+01:00",
                                "timing": timing, **meta}, ensure_ascii=False))
    outcome = ingest_transcript(app.extensions["callqa_sessions"], app.config["CALLQA_SETTINGS"],
                                path, transcript_metadata(path))
    assert outcome.status == "done", outcome
    return outcome.call_id


def test_transcript_evidence_and_metrics(app, world):
    supervisor = session_browser(app, world.users["supervisor"])
    html = supervisor.get(f"/calls/{world.calls['cen025']}").get_data(as_text=True)
    utterances = re.findall(r'<li class="utterance speaker-(\w+)" id="u-(\d+)" data-index="\d+" '
                            r'data-start="([\d.]+)" data-end="([\d.]+)"', html)
    assert len(utterances) == 13 and utterances[0] == ("agent", "0", "0.6", "5.9")
    assert utterances[1][0] == "customer"
    assert '<mark>Hello</mark>, this is <mark>John Carter</mark> at' in html  # evidence marked
    assert re.search(r'<a class="evidence-link" href="#u-0" data-seek="0.6" data-utterance="0">',
                     html)
    assert 'id="item-greeting" data-item="greeting" data-verdict="passed"' in html
    assert 'id="override-greeting"' in html and 'id="feedback-form"' in html
    assert 'id="metrics"' in html and 'id="metric-talk-ratio" data-value="' in html
    assert 'id="fcr" data-status="fcr"' in html
    assert '<script src="/static/call.js"></script>' in html


def test_fcr_reasons_with_evidence_and_mono_calls(app, world, tmp_path):
    callback = _ingest(app, tmp_path, "callback", [
        {"speaker": "agent", "start": 0.5, "end": 3, "text": "Dzień dobry, nazywam się Anna."},
        {"speaker": "customer", "start": 3.5, "end": 6, "text": "Paczka nie doszła."},
        {"speaker": "agent", "start": 6.5, "end": 10,
         "text": "Muszę to sprawdzić. Oddzwonimy do Pana jutro."},
    ], language="pl", agent={"id": "A11"})
    supervisor = session_browser(app, world.users["supervisor"])
    html = supervisor.get(f"/calls/{callback}").get_data(as_text=True)
    assert 'id="fcr" data-status="not_fcr"' in html and 'data-kind="callback"' in html
    assert 'data-seek="6.5"' in html and "Oddzwonimy" in html
    mono = _ingest(app, tmp_path, "mono", [
        {"speaker": "unknown", "start": 0.5, "end": 3, "text": "Good morning, my name is Anna."},
        {"speaker": "unknown", "start": 3.5, "end": 6, "text": "Hi, my card is lost."},
    ], language="en")
    html = supervisor.get(f"/calls/{mono}").get_data(as_text=True)
    assert 'id="mono-notice"' in html and 'class="utterance speaker-unknown"' in html
    assert 'data-verdict="review"' in html


def test_polish_and_english(app, world, session):
    anonymous = Browser(app).client
    assert "Zaloguj się" in anonymous.get(
        "/login", headers={"Accept-Language": "pl-PL,pl;q=0.9"}).get_data(as_text=True)
    agent = session_browser(app, world.users["agent"])
    page = f"/calls/{world.calls['cen028']}"
    english = agent.get(page).get_data(as_text=True)
    assert "Greeting" in english and "no offer of further help by the agent" in english
    response = agent.post("/language", data={"lang": "pl", "next": page})
    assert response.status_code == 303 and response.location == page
    polish = agent.get(page).get_data(as_text=True)
    assert '<html lang="pl">' in polish and "Powitanie" in polish and "Zaliczone" in polish
    assert "Transkrypcja" in polish and "Odwołaj się" in polish
    assert "no offer of further help" not in polish  # the explanation in Polish too
    assert session.get(User, world.users["agent"]).language == "pl"  # kept for the user
    again = session_browser(app, world.users["agent"])  # a new browser session
    assert "Moje rozmowy" in again.get("/my/calls").get_data(as_text=True)

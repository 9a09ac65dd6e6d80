"""The call page shows what was redacted, and where, with no trace of the value; the admin
erasure page erases a customer's calls and lists past erasures, in both languages."""
from __future__ import annotations

import json
import re

from webtools import session_browser

from callqa.qa.metadata import transcript_metadata
from callqa.services.ingest import ingest_transcript

TIMING = [
    {"speaker": "agent", "start": 0.0, "end": 3.0, "text": "Good morning, your card number?"},
    {"speaker": "customer", "start": 3.5, "end": 9.0,
     "text": "Sure, it's 4539 1488 0343 6467, thanks."},
    {"speaker": "agent", "start": 9.5, "end": 12.0, "text": "Thank you, goodbye."},
]


def _card_call(app, tmp_path) -> int:
    path = tmp_path / "card.json"
    path.write_text(json.dumps({"id": "card", "language": "en", "timing": TIMING,
                                "customer": {"phone": "+48 609 000 111"},
                                "started_at": "2026-11-10T10:00:00+01:00"}))
    outcome = ingest_transcript(app.extensions["callqa_sessions"], app.config["CALLQA_SETTINGS"],
                                path, transcript_metadata(path))
    assert outcome.status == "done", outcome
    return outcome.call_id


def test_the_call_page_marks_the_placeholder_and_lists_the_span(app, world, tmp_path):
    call_id = _card_call(app, tmp_path)
    supervisor = session_browser(app, world.users["supervisor"])
    html = supervisor.get(f"/calls/{call_id}").get_data(as_text=True)
    assert '<span class="redacted">[CARD]</span>' in html
    assert re.search(r'<li class="redaction"><a href="#listen" data-seek="[\d.]+">', html)
    assert "Card number, Customer: transcript" in html
    assert not re.search(r"4539|1488|0343|6467", html)
    polish = supervisor.get(f"/calls/{call_id}", headers={"Accept-Language": "pl"})
    assert "Numer karty" in polish.get_data(as_text=True)


def test_an_admin_erases_a_customer_and_sees_the_record(app, world, tmp_path):
    call_id = _card_call(app, tmp_path)
    admin = session_browser(app, world.users["admin"])
    refused = admin.post("/admin/erasure", {"customer": "609 000 111"})
    assert refused.status_code == 400
    done = admin.post("/admin/erasure", {"customer": "609 000 111", "confirm": "1"},
                      follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "Erased 1 calls" in page and 'data-erasure-id="' in page
    assert "609" not in page.split('id="erasures-table"')[1]
    assert admin.get(f"/calls/{call_id}").status_code == 404
    assert admin.get(f"/calls/{world.own_call}").status_code == 200
    supervisor = session_browser(app, world.users["supervisor"])
    assert supervisor.get("/admin/erasure").status_code == 403

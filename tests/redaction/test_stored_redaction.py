"""A stored call keeps no personal data: its rows, the CSV export and the call page show the
placeholders, and a record of each redacted stretch without the value. Scoring and FCR of
calls without personal data do not change."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select, text

from callqa.models import Base, Call, Redaction, RedactionMethod
from callqa.qa.fcr.ruleset import default_fcr_rules, detect_signals
from callqa.qa.metadata import CallMetadata
from callqa.qa.redaction.redact import RedactionPolicy, redact_transcript
from callqa.qa.redaction.spoken import spoken_digits
from callqa.qa.scoring import ScoringContext, default_scorecard, score_transcript
from callqa.qa.transcript_file import transcript_from_timing
from callqa.queries.call_list import CallFilters, call_list_query
from callqa.queries.export import csv_lines
from callqa.services.ingest import ingest_transcript

CARD = "4539148803436467"  # Luhn-valid
PESEL = "44051401458"
TIMING = [
    {"speaker": "agent", "start": 0.0, "end": 3.0,
     "text": "Dzień dobry, w czym mogę pomóc? Proszę podać numer karty."},
    {"speaker": "customer", "start": 3.5, "end": 8.0,
     "text": "Tak, cztery pięć trzy dziewięć, czternaście osiemdziesiąt osiem"},
    {"speaker": "agent", "start": 8.2, "end": 8.6, "text": "Mhm."},
    {"speaker": "customer", "start": 9.0, "end": 12.0,
     "text": "zero trzy czterdzieści trzy, sześćdziesiąt cztery sześćdziesiąt siedem."},
    {"speaker": "agent", "start": 12.5, "end": 15.0, "text": "A kod CVV z tyłu karty?"},
    {"speaker": "customer", "start": 15.5, "end": 17.0, "text": "Siedem osiem dziewięć."},
    {"speaker": "agent", "start": 17.5, "end": 19.0, "text": "I PESEL proszę."},
    {"speaker": "customer", "start": 19.5, "end": 22.0, "text": f"Mój PESEL to {PESEL}."},
    {"speaker": "agent", "start": 22.5, "end": 26.0,
     "text": "Dziękuję, płatność przyjęta. Dziękuję za rozmowę, do widzenia."},
]


def _digits(value: str, language: str = "pl") -> str:
    """Every digit a cell holds, written or spoken, in order."""
    tokens = re.findall(r"\S+", value)
    return "".join(p or "" for p in spoken_digits(tokens, language))


def _every_cell(engine) -> list[str]:
    """Every stored value as text, but for dates and times: they hold the clock's digits
    (18:59:14.885016 has a 1488 in it), never a caller's."""
    cells = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(text(f"SELECT * FROM {table.name}")):
                cells.extend(str(value) for value in row
                             if value is not None and not isinstance(value, dt.date))
    return cells


@pytest.fixture
def stored_call(sessions, settings, tmp_path: Path) -> int:
    path = tmp_path / "card.json"
    path.write_text(json.dumps({"timing": TIMING, "duration": 26.0}), encoding="utf-8")
    outcome = ingest_transcript(sessions, settings, path,
                                CallMetadata(language="pl", customer_phone="+48600700800"))
    assert outcome.status == "done", outcome.message
    return outcome.call_id


def test_no_row_of_the_database_holds_the_card_pesel_or_cvv(engine, sessions, stored_call):
    cells = _every_cell(engine)
    for cell in cells:
        digits = _digits(cell)
        assert CARD not in digits and PESEL not in digits and "789" not in digits, cell
        assert not any(group in re.sub(r"\D", "", cell)
                       for group in ("4539", "1488", "0343", "6467")), cell
    with sessions() as session:
        call = session.get(Call, stored_call)
        said = " ".join(u.text for u in call.utterances)
        assert said.count("[KARTA]") == 2 and "[CVV]" in said and "[PESEL]" in said
        kinds = [(r.entity, r.speaker, r.method) for r in call.redactions]
        assert kinds == [("card", "customer", RedactionMethod.TEXT)] * 2 + [
            ("cvv", "customer", RedactionMethod.TEXT), ("pesel", "customer",
                                                         RedactionMethod.TEXT)]
        customer = [(u["start"], u["end"]) for u in TIMING if u["speaker"] == "customer"]
        for row in session.scalars(select(Redaction)):
            assert any(start <= row.start_s < row.end_s <= end for start, end in customer)


def test_the_csv_export_holds_no_digits_of_the_card(sessions, stored_call):
    with sessions() as session:
        exported = "\n".join(csv_lines(session, call_list_query(CallFilters())))
    assert str(stored_call) in exported
    assert CARD not in _digits(exported) and PESEL not in _digits(exported)


def test_redaction_off_keeps_the_text(sessions, settings, tmp_path: Path):
    path = tmp_path / "card.json"
    path.write_text(json.dumps({"timing": TIMING}), encoding="utf-8")
    outcome = ingest_transcript(sessions, settings.with_overrides(
        redact=RedactionPolicy.parse("off")), path, CallMetadata(language="pl"))
    with sessions() as session:
        call = session.get(Call, outcome.call_id)
        assert PESEL in " ".join(u.text for u in call.utterances) and not call.redactions


def _verdicts(transcript):
    result = score_transcript(transcript, default_scorecard(), ScoringContext())
    return [(item.item_id, item.verdict) for item in result.items]


def test_calls_without_personal_data_are_scored_and_judged_the_same(manifest):
    everything = RedactionPolicy.parse("all+audio")
    rules = default_fcr_rules()
    for entry in manifest.values():
        transcript = transcript_from_timing(entry, entry["language"], entry["id"])
        redacted = redact_transcript(transcript, everything)
        assert redacted.spans == (), entry["id"]
        assert _verdicts(redacted.transcript) == _verdicts(transcript)
        assert detect_signals(redacted.transcript, rules) == detect_signals(transcript, rules)


def test_a_call_with_personal_data_is_scored_the_same_redacted():
    transcript = transcript_from_timing({"timing": TIMING}, "pl", "card call")
    redacted = redact_transcript(transcript, RedactionPolicy.parse("all+audio"))
    assert len(redacted.spans) == 4
    assert _verdicts(redacted.transcript) == _verdicts(transcript)
    rules = default_fcr_rules()
    assert detect_signals(redacted.transcript, rules) == detect_signals(transcript, rules)

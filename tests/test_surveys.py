"""Post-call surveys from a CSV file: each row matched to its call by call id, the phone
system's id, or the customer's phone and the time of the answer; refused rows reported with
their reasons, and the other rows stored all the same."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from callqa.models import Survey
from callqa.qa.metadata import transcript_metadata
from callqa.qa.surveys import SurveyError, parse_survey
from callqa.services.ingest import ingest_transcript
from callqa.services.surveys import import_surveys

SAMPLES = Path(__file__).resolve().parents[1] / "callqa" / "samples"


@pytest.fixture
def calls(sessions, settings, tmp_path) -> dict[str, int]:
    """The sample calls, scored from their reference transcripts."""
    found = {}
    for line in (SAMPLES / "manifest.jsonl").read_text().splitlines():
        entry = json.loads(line)
        path = tmp_path / f"{entry['id']}.json"
        path.write_text(json.dumps(entry, ensure_ascii=False))
        outcome = ingest_transcript(sessions, settings, path, transcript_metadata(path))
        found[entry["id"]] = outcome.call_id
    return found


def _started(manifest_id: str) -> datetime:
    for line in (SAMPLES / "manifest.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if entry["id"] == manifest_id:
            return datetime.fromisoformat(entry["started_at"])
    raise KeyError(manifest_id)


def _phone(manifest_id: str) -> str:
    for line in (SAMPLES / "manifest.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if entry["id"] == manifest_id:
            return entry["customer"]["phone"]
    raise KeyError(manifest_id)


def test_rows_are_matched_stored_or_refused_each_on_its_own(sessions, settings, calls, tmp_path):
    answered = (_started("cpl005") + timedelta(hours=5)).isoformat()
    csv = tmp_path / "surveys.csv"
    csv.write_text(
        "call_id;external_id;customer_phone;responded_at;nps;csat;comment\n"
        f"{calls['cen025']};;;;9;5;Quick and kind.\n"
        ";cen028;;;2;1;\"Nobody could help;\nI will call again.\"\n"
        f";;{_phone('cpl005')};{answered};10;;\n"
        ";;;;7;;\n"
        f"{calls['cpl004']};;;;eleven;9;\n"
        f";;{_phone('cpl005')};2026-01-01T10:00:00+01:00;5;;\n"
        "\n", encoding="utf-8")
    outcomes = import_surveys(sessions, settings, csv)
    assert [(o.line, o.status, o.call_id) for o in outcomes] == [
        (2, "stored", calls["cen025"]), (4, "stored", calls["cen028"]),
        (5, "stored", calls["cpl005"]), (6, "refused", None), (7, "refused", None),
        (8, "refused", None)]
    assert outcomes[3].reasons == (
        "which call: give call_id, external_id, or customer_phone with responded_at",)
    assert outcomes[4].reasons == ("nps: 'eleven' is not a whole number from 0 to 10",
                                   "csat: '9' is not a whole number from 1 to 5")
    assert outcomes[5].reasons[0].startswith("no call of +48")
    with sessions() as session:
        stored = {s.call_id: (s.nps, s.csat, s.comment, s.source)
                  for s in session.scalars(select(Survey))}
    assert stored == {calls["cen025"]: (9, 5, "Quick and kind.", "csv"),
                      calls["cen028"]: (2, 1, "Nobody could help;\nI will call again.", "csv"),
                      calls["cpl005"]: (10, None, None, "csv")}
    again = import_surveys(sessions, settings, csv)
    assert [o.status for o in again[:3]] == ["replaced"] * 3


def test_a_file_that_is_no_survey_file_is_refused_whole(sessions, settings, tmp_path):
    csv = tmp_path / "calls.csv"
    csv.write_text("id,agent\n1,A11\n")
    with pytest.raises(SurveyError, match="names none of nps, csat, comment"):
        import_surveys(sessions, settings, csv)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("call_id,comment\n1,Dzięki\n".encode("cp1250"))
    with pytest.raises(SurveyError, match="not UTF-8"):
        import_surveys(sessions, settings, latin)


def test_parse_survey_reads_json_and_text_alike():
    assert parse_survey({"call_id": "7", "nps": "0", "csat": 5}).nps == 0
    with pytest.raises(SurveyError) as refused:
        parse_survey({"call_id": True, "nps": 7.5, "responded_at": "2026-11-05 10:00"})
    assert refused.value.reasons == [
        "nps: 7.5 is not a whole number from 0 to 10",
        "responded_at: '2026-11-05 10:00' has no time zone offset",
        "call_id: True is not a call id (a whole number)"]


def test_the_import_command_reports_refused_rows(settings, calls, tmp_path):
    csv = tmp_path / "s.csv"
    csv.write_text(f"call_id,nps\n{calls['cen025']},8\n999999,3\n")
    env = dict(os.environ, CALLQA_DATABASE_URL=settings.db_url, CALLQA_HOME=str(settings.home),
               CALLQA_MODEL_CACHE_DIR=str(settings.model_cache_dir))
    run = subprocess.run([sys.executable, "-m", "callqa", "import", "surveys", str(csv)],
                         env=env, text=True, capture_output=True, timeout=300)
    assert run.returncode == 1, run.stderr
    assert run.stdout.splitlines() == ["line 3: refused: call_id: no call 999999",
                                       "1 refused, 1 stored"]


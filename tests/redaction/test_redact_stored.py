"""`callqa redact --all` applies a changed policy to stored calls: the transcripts are
redacted and scored again, stretches redacted in text only are silenced once the policy says
audio, and `callqa erase` erases from the command line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from test_audio_redaction import _samples as stored_samples

from callqa.models import Call, Erasure, RedactionMethod
from callqa.qa.metadata import CallMetadata
from callqa.qa.redaction.redact import RedactionPolicy
from callqa.services.ingest import ingest_recording, ingest_transcript
from callqa.services.redacting import redact_stored
from callqa.services.worker import Worker

DATA = Path(__file__).parent / "data"
TIMING = [
    {"speaker": "agent", "start": 0.0, "end": 2.0, "text": "Good morning, your phone number?"},
    {"speaker": "customer", "start": 2.5, "end": 6.0,
     "text": "It's 600 700 800, and my card is 4539 1488 0343 6467."},
    {"speaker": "agent", "start": 6.5, "end": 8.0, "text": "Thank you, goodbye."},
]


def _callqa(settings, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, CALLQA_DATABASE_URL=settings.db_url, CALLQA_HOME=str(settings.home),
               CALLQA_MODEL_CACHE_DIR=str(settings.model_cache_dir))
    return subprocess.run([sys.executable, "-m", "callqa", *args], env=env, text=True,
                          capture_output=True, timeout=300)


def _stored_clear(sessions, settings, tmp_path: Path) -> int:
    path = tmp_path / "call.json"
    path.write_text(json.dumps({"timing": TIMING}))
    off = settings.with_overrides(redact=RedactionPolicy.parse("off"))
    return ingest_transcript(sessions, off, path, CallMetadata(
        language="en", customer_phone="+48 600 700 800")).call_id


def test_a_wider_policy_redacts_stored_transcripts_and_scores_them_again(
        sessions, settings, tmp_path):
    call_id = _stored_clear(sessions, settings, tmp_path)
    with sessions() as session:
        assert "4539" in session.get(Call, call_id).utterances[1].text
    result = redact_stored(sessions, settings)
    assert (result.calls, result.changed, result.spans) == (1, 1, 2)
    with sessions() as session:
        call = session.get(Call, call_id)
        assert call.utterances[1].text == "It's [PHONE], and my card is [CARD]."
        assert sorted(r.entity for r in call.redactions) == ["card", "phone"]
        evidence = json.dumps([item.detail for item in call.score.items])
        assert "4539" not in evidence and "700" not in evidence
    again = redact_stored(sessions, settings)
    assert (again.changed, again.spans) == (0, 0)  # nothing left to redact


def test_text_redactions_are_silenced_when_the_policy_adds_audio(
        sessions, settings, transcriber):
    text_only = settings.with_overrides(redact=RedactionPolicy.parse("card"))
    outcome = ingest_recording(sessions, text_only, DATA / "card_call.flac",
                               CallMetadata(language="en", layout="agent-left"))
    Worker(sessions, text_only, lambda: transcriber).run()
    with sessions() as session:
        call = session.get(Call, outcome.call_id)
        assert {r.method for r in call.redactions} == {RedactionMethod.TEXT}
        stored = settings.recordings_dir / call.storage_name
    before = stored.read_bytes()
    result = redact_stored(sessions, settings.with_overrides(
        redact=RedactionPolicy.parse("card+audio")))
    assert result.silenced >= 1 and stored.read_bytes() != before
    with sessions() as session:
        call = session.get(Call, outcome.call_id)
        assert {r.method for r in call.redactions} == {RedactionMethod.SILENCE}
    samples, rate, _, _ = stored_samples(stored)
    for r in call.redactions:
        assert not samples[1, int(r.start_s * rate):int(r.end_s * rate)].any()


def test_the_commands(sessions, settings, tmp_path):
    call_id = _stored_clear(sessions, settings, tmp_path)
    redact = _callqa(settings, "redact", "--all")
    assert redact.returncode == 0, redact.stderr
    assert "1 calls looked at, 1 changed" in redact.stdout
    bad = subprocess.run([sys.executable, "-m", "callqa", "redact", "--all"],
                         env=dict(os.environ, CALLQA_DATABASE_URL=settings.db_url,
                                  CALLQA_REDACT="card,passport"),
                         text=True, capture_output=True, timeout=60)
    assert bad.returncode != 0 and "CALLQA_REDACT" in bad.stderr and "passport" in bad.stderr
    erase = _callqa(settings, "erase", "--customer", "600700800", "--yes")
    assert erase.returncode == 0, erase.stderr
    assert "erased 1 calls" in erase.stdout
    with sessions() as session:
        assert session.get(Call, call_id) is None
        assert session.scalars(select(Erasure.erased_by)).one().startswith("cli")

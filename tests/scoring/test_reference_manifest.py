"""Reading manifests and building reference transcripts from their timing."""
from __future__ import annotations

import json

import pytest

from callqa.qa.reference import agent_name, read_manifest, transcript_from_manifest_entry

ENTRY = {
    "id": "x1",
    "language": "pl",
    "layout": "mono",
    "duration": 12.5,
    "agent": {"id": "A1", "name": "Anna Kowalska"},
    "timing": [
        {"speaker": "customer", "start": 3.0, "end": 4.0, "text": "Dzień dobry."},
        {"speaker": "agent", "start": 0.5, "end": 2.5, "text": "Telmax, słucham."},
    ],
    "expect": {"greeting": False},
}


def test_reference_keeps_speakers_even_for_mono_recordings():
    transcript = transcript_from_manifest_entry(ENTRY)
    assert transcript.speakers_known
    assert transcript.language == "pl" and transcript.duration == 12.5
    assert [(u.speaker, u.start, u.text) for u in transcript.utterances] == [
        ("agent", 0.5, "Telmax, słucham."),
        ("customer", 3.0, "Dzień dobry."),
    ]
    assert agent_name(ENTRY) == "Anna Kowalska"


def test_bad_timing_names_the_call():
    broken = {**ENTRY, "timing": [{"speaker": "caller", "start": 0, "end": 1, "text": "hi"}]}
    with pytest.raises(ValueError, match="call x1: bad reference timing"):
        transcript_from_manifest_entry(broken)


def test_read_manifest_skips_blank_lines_and_names_bad_ones(tmp_path):
    path = tmp_path / "manifest.jsonl"
    path.write_text(json.dumps(ENTRY) + "\n\n" + json.dumps({**ENTRY, "id": "x2"}) + "\n")
    assert [entry["id"] for entry in read_manifest(path)] == ["x1", "x2"]
    path.write_text(json.dumps(ENTRY) + "\n{oops\n")
    with pytest.raises(ValueError, match="line 2: not JSON"):
        read_manifest(path)

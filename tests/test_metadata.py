import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from callqa.qa.metadata import (
    CallMetadata,
    MetadataError,
    parse_metadata,
    read_manifest,
    read_manifest_entries,
    read_sidecar,
    sidecar_for,
)
from callqa.qa.transcript_file import TranscriptFileError


def test_manifest_in_the_corpus_format_reads_every_line(corpus):
    entries = list(read_manifest(corpus / "manifest.jsonl"))
    assert len(entries) == 32
    path, meta = entries[0]
    assert path == corpus / "audio" / "cpl001.wav" and path.is_file()
    assert meta == CallMetadata(
        external_id="cpl001", agent_id="A04", agent_name="Tomasz Lewandowski",
        customer_phone="+48 600 100 200", customer_name="Jan Nowak",
        started_at=datetime(2026, 11, 3, 11, 22, tzinfo=timezone(timedelta(hours=1))),
        queue="reklamacja", language="pl", layout="agent-left", direction=None,
    )


def test_shipped_samples_manifest_points_at_shipped_files(samples):
    entries = list(read_manifest(samples / "manifest.jsonl"))
    assert len(entries) >= 3
    assert all(path.is_file() for path, _ in entries)
    assert {meta.layout for _, meta in entries} >= {"agent-left", "agent-right", "mono"}


def test_flat_keys_work_as_well_as_nested_ones():
    meta = parse_metadata(
        {"agent_id": "A1", "agent_name": "Ola", "customer_phone": "600100200",
         "channel_layout": "agent-right", "started_at": "2026-11-02T10:00:00Z"}, "test")
    assert (meta.agent_id, meta.agent_name, meta.layout) == ("A1", "Ola", "agent-right")
    assert meta.started_at == datetime(2026, 11, 2, 10, tzinfo=UTC)


@pytest.mark.parametrize("data, fragment", [
    ({"layout": "left"}, "layout 'left'"),
    ({"direction": "sideways"}, "direction 'sideways'"),
    ({"language": "Polish"}, "language 'Polish'"),
    ({"started_at": "yesterday"}, "started_at 'yesterday'"),
    ({"started_at": "2026-11-02T10:00:00"}, "no time zone"),
    ({"agent": "A1"}, "'agent' must be an object"),
])
def test_bad_metadata_names_the_source_and_field(data, fragment):
    with pytest.raises(MetadataError, match="calls.jsonl:3") as error:
        parse_metadata(data, "calls.jsonl:3")
    assert fragment in str(error.value)


def test_manifest_line_without_file_or_with_broken_json_is_reported(tmp_path: Path):
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"id": "x"}\n')
    with pytest.raises(MetadataError, match=r"m.jsonl:1: no 'file' field"):
        list(read_manifest(manifest))
    manifest.write_text('\n{"file": "a.wav",\n')
    with pytest.raises(MetadataError, match=r"m.jsonl:2: not valid JSON"):
        list(read_manifest(manifest))


def test_sidecar_is_found_by_either_name_and_fills_gaps_over_defaults(tmp_path: Path):
    recording = tmp_path / "call.wav"
    recording.write_bytes(b"")
    assert sidecar_for(recording) is None
    (tmp_path / "call.json").write_text(json.dumps({"agent": {"id": "A9"}, "language": "en"}))
    assert sidecar_for(recording) == tmp_path / "call.json"
    (tmp_path / "call.wav.json").write_text(json.dumps({"agent": {"id": "A7"}}))
    assert sidecar_for(recording) == tmp_path / "call.wav.json"
    meta = read_sidecar(tmp_path / "call.json").over(CallMetadata(language="pl", queue="q"))
    assert (meta.agent_id, meta.language, meta.queue) == ("A9", "en", "q")


REFERENCE = {
    "id": "x1", "file": "x1.wav", "language": "pl", "layout": "mono", "duration": 12.5,
    "agent": {"id": "A1", "name": "Anna Kowalska"},
    "timing": [
        {"speaker": "customer", "start": 3.0, "end": 4.0, "text": "Dzień dobry."},
        {"speaker": "agent", "start": 0.5, "end": 2.5, "text": "Telmax, słucham."},
    ],
    "expect": {"greeting": False},
}


def test_one_reader_gives_ingest_its_recordings_and_evaluation_its_references(tmp_path: Path):
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps(REFERENCE) + "\n\n" + json.dumps({**REFERENCE, "id": "x2"}))
    entries = read_manifest_entries(manifest)
    assert [(e.call_id, e.source) for e in entries] == [("x1", f"{manifest}:1"),
                                                        ("x2", f"{manifest}:3")]
    assert list(read_manifest(manifest)) == [(e.recording, e.metadata) for e in entries]
    first = entries[0]
    assert first.recording == tmp_path / "x1.wav" and first.expect == {"greeting": False}
    reference = first.reference_transcript()
    assert reference.speakers_known  # a mono recording still knows who spoke in its reference
    assert reference.language == "pl" and reference.duration == 12.5
    assert [(u.speaker, u.start, u.text) for u in reference.utterances] == [
        ("agent", 0.5, "Telmax, słucham."), ("customer", 3.0, "Dzień dobry.")]


def test_a_bad_reference_timing_names_the_line_and_the_call(tmp_path: Path):
    manifest = tmp_path / "m.jsonl"
    broken = {**REFERENCE, "timing": [{"speaker": "caller", "start": 0, "end": 1, "text": "hi"}]}
    manifest.write_text(json.dumps(broken) + "\n")
    [entry] = read_manifest_entries(manifest)
    with pytest.raises(TranscriptFileError, match=r"m.jsonl:1 \(x1\): utterance 1: speaker"):
        entry.reference_transcript()

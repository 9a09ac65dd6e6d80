import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from callqa.models import Agent, Call, CallStatus, Queue
from callqa.qa.metadata import CallMetadata, read_manifest
from callqa.services.ingest import discover_recordings, ingest_recording, recording_metadata


def _ingest_all(sessions, settings, jobs):
    return [ingest_recording(sessions, settings, path, meta) for path, meta in jobs]


def test_manifest_ingest_stores_calls_with_their_metadata(sessions, settings, samples):
    outcomes = _ingest_all(sessions, settings, read_manifest(samples / "manifest.jsonl"))
    assert [o.status for o in outcomes] == ["queued"] * len(outcomes)
    with sessions() as session:
        call = session.scalar(select(Call).where(Call.external_id == "cen028"))
        assert call.agent.external_id == "A11" and call.agent.name
        assert call.queue.name == "billing" and call.channel_layout == "agent-right"
        assert call.language == "en" and call.customer_phone == "+1 555 0103"
        assert call.started_at.isoformat() == "2026-11-05T07:33:00+00:00"
        assert (call.container, call.codec, call.source_channels) == ("mp3", "mp3", 2)
        assert call.duration_s == pytest.approx(35.29, abs=0.1)
        assert session.scalar(select(func.count(Agent.id))) == 3


def test_recordings_are_copied_under_generated_names(sessions, settings, samples):
    source = samples / "cen025.flac"
    outcome = ingest_recording(sessions, settings, source, CallMetadata(language="en"))
    with sessions() as session:
        call = session.get(Call, outcome.call_id)
    stored = settings.recordings_dir / call.storage_name
    assert stored.read_bytes() == source.read_bytes()
    assert "cen025" not in call.storage_name and call.storage_name.endswith(".flac")
    assert call.original_filename == "cen025.flac"


def test_the_same_audio_twice_is_one_call(sessions, settings, samples, tmp_path: Path):
    first = ingest_recording(sessions, settings, samples / "cpl005.wav", CallMetadata())
    renamed = tmp_path / "another-name.wav"
    shutil.copy(samples / "cpl005.wav", renamed)
    second = ingest_recording(sessions, settings, renamed, CallMetadata(agent_id="A99"))
    assert second.status == "duplicate" and second.call_id == first.call_id
    assert f"call {first.call_id}" in second.message
    with sessions() as session:
        assert session.scalar(select(func.count(Call.id))) == 1


def test_every_bad_file_is_stored_failed_with_its_reason_or_queued(sessions, settings, corpus):
    outcomes = {p.name: ingest_recording(sessions, settings, p, CallMetadata(language="en"))
                for p in sorted((corpus / "bad").iterdir())}
    assert {n for n, o in outcomes.items() if o.status == "queued"} == {
        "silence_60s.wav", "noise_only_30s.wav"}
    with sessions() as session:
        failed = session.scalars(select(Call).where(Call.status == CallStatus.FAILED)).all()
        reasons = {c.original_filename: c.error for c in failed}
    assert len(failed) == 7
    assert "empty file" in reasons["empty.wav"]
    assert "M3U playlist" in reasons["playlist_renamed.wav"]
    assert "text" in reasons["text_renamed.wav"]
    assert "truncated" in reasons["truncated.wav"]
    assert "4.0 GB" in reasons["claims_4gb.wav"]


def test_sidecar_metadata_wins_over_command_line_defaults(sessions, settings, samples, tmp_path):
    recording = tmp_path / "inbox" / "rec.flac"
    recording.parent.mkdir()
    shutil.copy(samples / "cpl004.flac", recording)
    (tmp_path / "inbox" / "rec.flac.json").write_text(json.dumps(
        {"agent": {"id": "A02", "name": "Piotr"}, "queue": "dostawa", "layout": "agent-left"}))
    defaults = CallMetadata(language="pl", queue="ignored", agent_id="ignored")
    [found] = list(discover_recordings([tmp_path / "inbox"]))
    outcome = ingest_recording(sessions, settings, found, recording_metadata(found, defaults))
    with sessions() as session:
        call = session.get(Call, outcome.call_id)
        assert (call.agent.external_id, call.queue.name, call.language) == ("A02", "dostawa", "pl")
        assert call.started_at is not None  # the file's time when nothing says otherwise
        assert session.scalar(select(Queue).where(Queue.name == "ignored")) is None


def test_folders_yield_audio_files_only(tmp_path: Path):
    for name in ("b.wav", "a.mp3", "notes.txt", "a.mp3.json", ".hidden.wav", "sub/c.FLAC"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover_recordings([tmp_path])]
    assert found == ["a.mp3", "b.wav", "sub/c.FLAC"]

"""Retention deletes expired calls with their transcripts and recordings, and nothing else."""
import logging
import os
import shutil
from dataclasses import replace
from datetime import timedelta
from importlib import resources

import pytest
from sqlalchemy import func, select, update

from callqa.models import Call, Utterance, utcnow
from callqa.qa.metadata import CallMetadata
from callqa.services.ingest import ingest_recording
from callqa.services.retention import RetentionError, apply_retention

FCR_RULES = resources.files("callqa.qa.fcr") / "default.yaml"


def _ingest(sessions, settings, path, days_ago: float | None) -> int:
    started = None if days_ago is None else utcnow() - timedelta(days=days_ago)
    return ingest_recording(sessions, settings, path, CallMetadata(started_at=started)).call_id


def _add_utterance(sessions, call_id: int) -> None:
    with sessions.begin() as session:
        session.add(Utterance(call_id=call_id, position=0, speaker="agent", start_s=0.0,
                              end_s=1.0, text="Dzień dobry"))


def _stored(sessions, settings, call_id: int):
    with sessions() as session:
        return settings.recordings_dir / session.get(Call, call_id).storage_name


def test_retention_deletes_old_calls_and_their_files_and_keeps_newer_ones(
        sessions, settings, samples, tmp_path):
    old = _ingest(sessions, settings, samples / "cpl004.flac", days_ago=100)
    undated = _ingest(sessions, settings, samples / "cpl005.wav", days_ago=None)
    recent = _ingest(sessions, settings, samples / "cen028.mp3", days_ago=1)
    with sessions.begin() as session:  # a call without started_at ages by when it was stored
        session.execute(update(Call).where(Call.id == undated).values(
            started_at=None, created_at=utcnow() - timedelta(days=40)))
    _add_utterance(sessions, old)
    _add_utterance(sessions, recent)
    old_file, undated_file, recent_file = (
        _stored(sessions, settings, i) for i in (old, undated, recent))

    inbox = tmp_path / "inbox"
    (inbox / "ingested").mkdir(parents=True)
    archived_old = shutil.copy(samples / "cpl004.flac", inbox / "ingested")
    archived_new = shutil.copy(samples / "cen028.mp3", inbox / "ingested")
    long_ago = (utcnow() - timedelta(days=100)).timestamp()
    os.utime(archived_old, (long_ago, long_ago))

    keep_30_days = replace(settings, retention_days=30, inbox_dir=inbox)
    result = apply_retention(sessions, keep_30_days)

    assert (result.calls, result.files, result.archived) == (2, 2, 1)
    with sessions() as session:
        assert session.scalars(select(Call.id)).all() == [recent]
        assert session.scalars(select(Utterance.call_id)).all() == [recent]
    assert not old_file.exists() and not undated_file.exists() and recent_file.exists()
    assert not os.path.exists(archived_old) and os.path.exists(archived_new)
    assert apply_retention(sessions, keep_30_days).calls == 0


def test_retention_days_zero_keeps_everything(sessions, settings, samples, caplog):
    old = _ingest(sessions, settings, samples / "cpl004.flac", days_ago=3650)
    caplog.set_level(logging.INFO, logger="callqa")
    result = apply_retention(sessions, replace(settings, retention_days=0))
    assert result.cutoff is None and result.calls == 0
    assert "retention is off" in caplog.text
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 1
    assert _stored(sessions, settings, old).exists()


def test_a_period_shorter_than_the_fcr_window_deletes_nothing(
        sessions, settings, samples, tmp_path):
    old = _ingest(sessions, settings, samples / "cpl004.flac", days_ago=5)
    with pytest.raises(RetentionError, match=r"RETENTION_DAYS=3 is shorter than the FCR "
                                             r"window \(7 days\).*at least 7 days"):
        apply_retention(sessions, replace(settings, retention_days=3))
    rules = tmp_path / "fcr.yaml"
    rules.write_text(FCR_RULES.read_text().replace("window_days: 7", "window_days: 2"))
    result = apply_retention(sessions, replace(settings, retention_days=3, fcr_rules=rules))
    with sessions() as session:
        assert result.calls == 1 and session.get(Call, old) is None

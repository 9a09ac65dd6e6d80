"""Storage that cannot take a recording (not writable, the disk full): each file fails alone
with its reason, nothing of it is kept, and the batch goes on. They aborted a CLI batch with
a traceback and gave the web upload a bare 500.

"Not writable" is a folder under /sys, which refuses new entries even to root; "the disk is
full" is a limit on file size in the process writing (tests/limits.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from limits import file_size_limit, limit_file_size

from callqa.qa.metadata import CallMetadata
from callqa.qa.storage import INCOMING
from callqa.services.ingest import ingest_recording

NOT_WRITABLE = Path("/sys/callqa-recordings")
# bytes: cen028.mp3 (142 kB) fits, cen025.flac (659 kB) does not, and the SQLite database
# (434 kB with every migration) can still grow by a few calls
LIMIT = 640_000


def _env(settings, **extra: str) -> dict[str, str]:
    return dict(os.environ, CALLQA_DATABASE_URL=settings.db_url, CALLQA_HOME=str(settings.home),
                CALLQA_MODEL_CACHE_DIR=str(settings.model_cache_dir), **extra)


def _ingest(settings, samples, **options):
    env = options.pop("env", {})
    return subprocess.run(
        [sys.executable, "-m", "callqa", "ingest", str(samples / "cen025.flac"),
         str(samples / "cen028.mp3"), "--language", "en"],
        env=_env(settings, **env), capture_output=True, text=True, timeout=300, **options)


def _stored_files(settings) -> list[Path]:
    return [p for p in settings.recordings_dir.rglob("*") if p.is_file()]


def test_a_storage_that_is_not_writable_fails_each_file_with_its_reason(settings, samples):
    try:
        NOT_WRITABLE.mkdir()
    except OSError:
        pass
    else:
        NOT_WRITABLE.rmdir()
        pytest.skip("/sys takes new folders here")
    run = _ingest(settings, samples, env={"CALLQA_STORAGE_DIR": str(NOT_WRITABLE)})
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stdout.splitlines()
    assert len([line for line in lines if line.startswith("error ")]) == 2, run.stdout
    assert "not stored: Operation not permitted (/sys/callqa-recordings" in run.stdout
    assert lines[-1] == "2 error"


def test_a_full_disk_fails_the_file_that_does_not_fit_and_the_batch_goes_on(settings, samples):
    run = _ingest(settings, samples, preexec_fn=limit_file_size(LIMIT))
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert f"not stored: File too large ({settings.recordings_dir})" in run.stdout
    assert run.stdout.splitlines()[-1] == "1 error, 1 queued", run.stdout
    assert not list((settings.recordings_dir / INCOMING).iterdir())  # nothing half-copied
    assert [p.stat().st_size for p in _stored_files(settings)] == [
        (samples / "cen028.mp3").stat().st_size]


def test_the_service_says_why_and_keeps_nothing(sessions, settings, samples):
    settings.recordings_dir.mkdir(parents=True)
    with file_size_limit(LIMIT):
        outcome = ingest_recording(sessions, settings, samples / "cen025.flac",
                                   CallMetadata(language="en"))
    assert outcome.status == "error" and outcome.call_id is None
    assert outcome.problem is not None and outcome.problem.msgid == "not stored: %(reason)s"
    assert outcome.message == f"not stored: File too large ({settings.recordings_dir})"
    assert not _stored_files(settings)

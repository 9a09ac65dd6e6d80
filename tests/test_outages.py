"""The database going away under long-lived processes, and being away when they start. A
watching worker died at a 15 s outage with a traceback; the scheduler logged a traceback at
every tick; a database down at start gave 134 lines of traceback (also `callqa serve` and
each gunicorn worker). Now the worker and the scheduler wait with backoff and log one line
when an outage starts and one when it ends; a database down at start is one line.

The outage is real from the processes' side: they reach PostgreSQL through a TCP proxy the
test cuts (every connection reset, new ones refused) and restores (tests/tcpproxy.py)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dbtools import PG_URL
from httptools import wait_for_line
from sqlalchemy import make_url
from tcpproxy import TcpProxy, free_port

from callqa.models import Call, CallStatus
from callqa.models.db import make_engine, make_session_factory, scratch_schema, upgrade_schema
from callqa.qa.metadata import CallMetadata
from callqa.services.ingest import ingest_recording
from callqa.settings import Settings

# the module, not .venv/bin/gunicorn, whose first line may name another checkout's Python
OUTAGE_S = 8.0


def model_cache() -> Path:
    """The model cache the suite shares (tests/conftest.py's, which web tests' conftest
    shadows as a module name)."""
    return Path(os.environ.get("CALLQA_TEST_MODEL_CACHE", Path.home() / ".cache" / "callqa"))


def _env(home: Path, url: str, cache: Path | None = None, **extra: str) -> dict:
    env = dict(os.environ, CALLQA_DATABASE_URL=url, CALLQA_HOME=str(home), **extra)
    if cache is not None:
        env["CALLQA_MODEL_CACHE_DIR"] = str(cache)
    return env


@pytest.fixture
def pg_url():
    if not PG_URL:
        pytest.skip("an outage needs PostgreSQL: set CALLQA_TEST_DATABASE_URL")
    with scratch_schema(PG_URL, "outage") as url:
        yield url


def _through(proxy: TcpProxy, url: str) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(
        hide_password=False)


def _wait_for_status(sessions, call_id: int, status: str, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        with sessions() as session:
            if session.get(Call, call_id).status == status:
                return
        assert time.monotonic() < deadline, f"call {call_id} not {status} in {timeout_s} s"
        time.sleep(0.5)


def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    return output


def test_a_watching_worker_lives_through_an_outage(pg_url, tmp_path, samples):
    engine = make_engine(pg_url)
    upgrade_schema(engine)
    sessions = make_session_factory(engine)
    settings = Settings(home=tmp_path, database_url=pg_url)
    with TcpProxy(*_target(pg_url)) as proxy:
        worker = subprocess.Popen(
            # one worker process (each process of a pool logs its own outage)
            [sys.executable, "-m", "callqa", "process", "--watch", "--poll", "0.5",
             "--workers", "1", "--no-progress"],
            env=_env(tmp_path, _through(proxy, pg_url), model_cache()),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            before = ingest_recording(sessions, settings, samples / "cen028.mp3",
                                      CallMetadata(language="en")).call_id
            _wait_for_status(sessions, before, CallStatus.DONE)
            proxy.cut()
            during = ingest_recording(sessions, settings, samples / "cpl004.flac",
                                      CallMetadata(language="pl")).call_id
            time.sleep(OUTAGE_S)
            assert worker.poll() is None, "the worker died in the outage"
            proxy.restore()
            _wait_for_status(sessions, during, CallStatus.DONE)
            assert worker.poll() is None
        finally:
            output = _stop(worker)
    engine.dispose()
    assert "Traceback" not in output, output
    lines = output.splitlines()
    assert len([line for line in lines if "database unavailable" in line]) == 1, output
    assert len([line for line in lines if "database back after" in line]) == 1, output


def test_the_scheduler_lives_through_an_outage(pg_url, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with TcpProxy(*_target(pg_url)) as proxy:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "callqa", "scheduler"],
            env=_env(tmp_path, _through(proxy, pg_url), CALLQA_INBOX_DIR=str(inbox),
                     CALLQA_INBOX_INTERVAL_S="0.5"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            wait_for_line(scheduler, "acquired lease")
            time.sleep(1)
            proxy.cut()
            time.sleep(OUTAGE_S / 2)
            assert scheduler.poll() is None, "the scheduler died in the outage"
            proxy.restore()
            time.sleep(3)
            assert scheduler.poll() is None
        finally:
            scheduler.send_signal(signal.SIGINT)
            scheduler.wait(timeout=60)
            time.sleep(0.2)  # the reading thread takes the last lines
            output = "".join(scheduler.lines)
    assert "Traceback" not in output, output
    lines = output.splitlines()
    assert len([line for line in lines if "database unavailable" in line]) == 1, output
    assert len([line for line in lines if "database back after" in line]) == 1, output


def _target(url: str) -> tuple[str, int]:
    parsed = make_url(url)
    return parsed.host or "127.0.0.1", parsed.port or 5432


def _frames_of_ours(output: str) -> list[str]:
    """Traceback lines from callqa, SQLAlchemy or the driver. (gunicorn's arbiter prints a
    traceback of its own now and then when two workers fail to boot at the same moment.)"""
    return [line for line in output.splitlines() if line.strip().startswith("File ")
            and any(name in line for name in ("callqa", "sqlalchemy", "psycopg"))]


DOWN_COMMANDS = {
    "process --watch": [sys.executable, "-m", "callqa", "process", "--watch"],
    "serve": [sys.executable, "-m", "callqa", "serve", "--port", "0"],
    "scheduler": [sys.executable, "-m", "callqa", "scheduler"],
    "gunicorn": [sys.executable, "-m", "gunicorn", "-w", "2", "-b", "127.0.0.1:0",
                 "callqa.web:create_app()"],
}


@pytest.mark.parametrize("command", DOWN_COMMANDS)
def test_a_database_down_at_start_is_one_clear_line(command, tmp_path):
    url = f"postgresql+psycopg://callqa:secret@127.0.0.1:{free_port()}/callqa"
    run = subprocess.run(DOWN_COMMANDS[command], env=_env(tmp_path, url), capture_output=True,
                         text=True, timeout=120)
    assert run.returncode != 0
    output = run.stdout + run.stderr
    assert not _frames_of_ours(output), output
    said = [line for line in output.splitlines() if "cannot reach the database" in line]
    assert said and set(said) == {said[0]}, output  # the same line (once per gunicorn worker)
    assert f"postgresql+psycopg://callqa:***@127.0.0.1:{url.split(':')[-1]}" in said[0]
    assert "secret" not in output
    assert "refused" in said[0].lower()

"""The first run as a newcomer meets it: `callqa demo` serves the UI with a worker beside it,
so a recording uploaded then is transcribed (it stayed queued forever), and both stop on
SIGINT or SIGTERM, also when started in the background (SIGINT ignored)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from httptools import wait_for_line

from callqa.models import Call, CallStatus, WorkerProcess
from callqa.models.db import make_engine, make_session_factory
from callqa.qa.metadata import CallMetadata
from callqa.services.ingest import ingest_recording
from callqa.settings import Settings


def model_cache() -> Path:
    """The model cache the suite shares (tests/conftest.py's, which web tests' conftest
    shadows as a module name)."""
    return Path(os.environ.get("CALLQA_TEST_MODEL_CACHE", Path.home() / ".cache" / "callqa"))


def _as_in_the_background() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found = []
    for task in tasks.iterdir() if tasks.exists() else []:
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited


def test_the_demo_transcribes_an_upload_and_stops_with_its_worker(tmp_path, corpus):
    """Ctrl+C's signal to the demo alone (as `kill -INT` to a background job): the worker,
    its child, gets no signal of its own and is stopped by the demo. (SIGTERM takes the same
    way out: tests/test_serve.py.)"""
    home, url = tmp_path / "home", f"sqlite:///{tmp_path / 'callqa.db'}"
    env = dict(os.environ, CALLQA_HOME=str(home), CALLQA_DATABASE_URL=url,
               CALLQA_MODEL_CACHE_DIR=str(model_cache()))
    demo = subprocess.Popen([sys.executable, "-m", "callqa", "demo", "--port", "0"], env=env,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=_as_in_the_background)
    engine = make_engine(url)
    try:
        wait_for_line(demo, r"review UI on http://", timeout_s=600)
        # its one worker, `callqa process --watch` (beside multiprocessing's resource tracker,
        # left by the worker pool that processed the samples)
        workers = [pid for pid in _children(demo.pid)
                   if b"\x00process\x00" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(workers) == 1, workers
        sessions = make_session_factory(engine)
        upload = ingest_recording(sessions, Settings(home=home, database_url=url),
                                  corpus / "audio" / "cen024.mp3",  # not a demo sample
                                  CallMetadata(language="en", external_id="UPLOAD-1")).call_id
        deadline = time.monotonic() + 300
        while True:
            with sessions() as session:
                if session.get(Call, upload).status != CallStatus.QUEUED:
                    break
            assert time.monotonic() < deadline, "the upload stayed queued"
            time.sleep(1)
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=60) == 0
        time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers), "the worker was left running"
        with sessions() as session:
            rows = session.query(WorkerProcess).all()
            assert rows and all(row.stopped_at is not None for row in rows)  # they said so
    finally:
        if demo.poll() is None:
            demo.kill()
        engine.dispose()
    deadline = time.monotonic() + 10  # the reading thread takes the last lines
    while "worker stopped" not in "".join(demo.lines) and time.monotonic() < deadline:
        time.sleep(0.1)
    output = "".join(demo.lines)
    assert "worker stopped" in output and "Traceback" not in output, output


_BESIDE = """
import sys, time
from types import SimpleNamespace
from callqa.cli.main import _worker_beside
child = _worker_beside(SimpleNamespace(settings=SimpleNamespace(db_url=sys.argv[1])))
print("pid", child.pid, flush=True)
time.sleep(600)
"""


def test_a_killed_demo_leaves_no_worker_behind(tmp_path):
    """SIGKILL gives the demo no chance to stop its worker: the kernel stops it instead."""
    url = f"sqlite:///{tmp_path / 'callqa.db'}"
    env = dict(os.environ, CALLQA_HOME=str(tmp_path / "home"), CALLQA_DATABASE_URL=url)
    subprocess.run([sys.executable, "-m", "callqa", "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    demo = subprocess.Popen([sys.executable, "-c", _BESIDE, url], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert demo.stdout is not None
        worker = int(next(line for line in demo.stdout if line.startswith("pid ")).split()[1])
        time.sleep(3)
        assert _alive(worker), "the worker did not start"
        demo.kill()
        demo.wait(timeout=10)
        deadline = time.monotonic() + 30
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker), "the worker outlived the killed demo"
    finally:
        if demo.poll() is None:
            demo.kill()

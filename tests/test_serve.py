"""Serving the review UI as the README says: `callqa serve` on one machine, and gunicorn with
several workers in production. Real processes, real HTTP, a fresh SQLite database."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from httptools import HttpUser, signed_in_as, wait_for_line, wait_until_up

from callqa.models.db import make_engine, make_session_factory, upgrade_schema
from callqa.services.accounts import create_user

PASSWORD = "correct horse battery"
# the module of this Python: .venv/bin/gunicorn's first line may name another checkout's
GUNICORN = [sys.executable, "-m", "gunicorn"]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def env(home: Path, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, CALLQA_HOME=str(home),
               CALLQA_DATABASE_URL=f"sqlite:///{tmp_path / 'callqa.db'}")
    env.pop("CALLQA_FLASK_SECRET_KEY", None)  # the key file under CALLQA_HOME is under test
    return env


def add_supervisor(database_url: str, username: str = "anna") -> None:
    engine = make_engine(database_url)
    upgrade_schema(engine)
    with make_session_factory(engine).begin() as session:
        create_user(session, username, PASSWORD, "supervisor")
    engine.dispose()


def stop(process: subprocess.Popen) -> int:
    """Ctrl+C, then its output (pytest shows it when the test fails)."""
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    finally:
        print("".join(getattr(process, "lines", [])))


def test_gunicorn_serves_the_app_factory_with_workers_sharing_one_key(env, home, tmp_path):
    """The README's production command, with 2 workers starting at once on an empty database
    and home: they race to make the schema and the secret key, and must agree on both."""
    command = [*GUNICORN, "-w", "2", "-b", "127.0.0.1:0", "callqa.web:create_app()"]
    server = subprocess.Popen(command, env=env, cwd=tmp_path, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = wait_for_line(server, r"Listening at: (http://\S+)").group(1)
        wait_until_up(base, server)
        add_supervisor(env["CALLQA_DATABASE_URL"])
        user = HttpUser(base)
        calls = user.login("anna", PASSWORD)
        assert calls.status == 200 and calls.url.endswith("/calls")
        # Each request goes to either worker: a worker with another key would sign anna out.
        for _ in range(12):
            assert signed_in_as(user.get("/calls")) == "anna"
        assert HttpUser(base).login("anna", "wrong password").status == 401
        assert (home / "secret_key").stat().st_mode & 0o777 == 0o600
        assert server.poll() is None
    finally:
        stop(server)
    output = "".join(server.lines)
    assert output.count("Booting worker with pid") >= 2
    assert "Traceback" not in output and "Worker failed to boot" not in output


def test_callqa_serve_until_ctrl_c(env):
    add_supervisor(env["CALLQA_DATABASE_URL"])
    server = subprocess.Popen([sys.executable, "-m", "callqa", "serve", "--port", "0"], env=env,
                              text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = wait_for_line(server, r"review UI on (http://127\.0\.0\.1:\d+)/ ").group(1)
        page = HttpUser(base).login("anna", PASSWORD)
        assert page.url.endswith("/calls") and signed_in_as(page) == "anna"
    finally:
        assert stop(server) == 0
    assert "no users yet" not in "".join(server.lines)


def _as_in_the_background() -> None:
    """What a shell without job control does to `command &`: SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_callqa_serve_started_in_the_background_stops_on_sigint_and_sigterm(env, signum):
    """It ignored SIGINT when started in the background, and SIGTERM ended it without
    closing anything."""
    server = subprocess.Popen([sys.executable, "-m", "callqa", "serve", "--port", "0"], env=env,
                              text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              preexec_fn=_as_in_the_background)
    try:
        wait_for_line(server, r"review UI on (http://127\.0\.0\.1:\d+)/ ")
        server.send_signal(signum)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
    deadline = time.monotonic() + 10  # the reading thread takes the last lines
    while "stopped" not in "".join(server.lines) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "stopped" in "".join(server.lines)


def test_callqa_serve_says_when_the_port_is_taken(env):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "callqa", "serve", "--port", str(port)],
                                env=env, text=True, capture_output=True, timeout=60)
    assert result.returncode != 0
    assert f"Port {port} is in use by another program" in result.stderr
    assert "no users yet: make one with `callqa create-user`" in result.stdout

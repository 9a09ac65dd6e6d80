"""The example systemd units under deploy/ work as documented: systemd accepts them, their
environment file names only real settings, and each ExecStart runs here, with the installed
commands in place of /opt/callqa/.venv/bin: gunicorn loads the app, the scheduler runs a
sweep, the worker starts, reports itself and stops on SIGTERM."""
from __future__ import annotations

import configparser
import os
import shlex
import shutil
import signal
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from celerytools import broker_url_or_skip
from dbtools import PG_URL

from callqa.models.db import scratch_schema
from callqa.settings import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNITS = ("callqa-web.service", "callqa-worker.service", "callqa-scheduler.service")
INSTALLED = "/opt/callqa/.venv/bin"
BIN = Path(sys.executable).parent


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read(DEPLOY / name)
    return parser


def _environment_file() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "callqa.env").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def _command(name: str) -> list[str]:
    argv = shlex.split(_unit(name)["Service"]["ExecStart"])
    assert argv[0].startswith(INSTALLED + "/"), argv
    local = BIN / Path(argv[0]).name
    assert local.exists(), f"{local} is not installed"
    return [str(local), *argv[1:]]


def test_every_unit_reads_the_environment_file_and_runs_an_installed_command():
    for name in UNITS:
        service = _unit(name)["Service"]
        assert service["EnvironmentFile"] == "/etc/callqa/callqa.env"
        assert service["Restart"] == "on-failure"
        _command(name)
    worker = _unit("callqa-worker.service")["Service"]
    assert worker["KillMode"] == "mixed"  # SIGTERM to the Celery main process: warm shutdown


def test_the_environment_file_names_only_real_settings():
    known = {f"CALLQA_{f.name.upper()}" for f in fields(Settings)}
    for key in _environment_file():
        assert key in known or key.startswith("CALLQA_FLASK_"), key


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_units(tmp_path):
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace(INSTALLED, str(BIN)).replace(
            "/etc/callqa/callqa.env", str(DEPLOY / "callqa.env")).replace(
            "/var/lib/callqa", str(tmp_path))
        (tmp_path / name).write_text(text)
    run = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / n) for n in UNITS)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "callqa" not in run.stderr, run.stderr  # no warning about these units


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (CALLQA_TEST_DATABASE_URL)")
def test_the_units_commands_run_with_the_documented_environment(tmp_path):
    broker = broker_url_or_skip("redis")
    with scratch_schema(PG_URL, "u") as url:
        env = dict(os.environ, **_environment_file())
        env.update(CALLQA_DATABASE_URL=url, CALLQA_BROKER_URL=broker,
                   CALLQA_HOME=str(tmp_path / "home"), CALLQA_STORAGE_DIR=str(tmp_path / "rec"),
                   CALLQA_CELERY_QUEUE="callqa_deploy_test")
        web = subprocess.run([*_command("callqa-web.service"), "--check-config"], env=env,
                             capture_output=True, text=True, timeout=120)
        assert web.returncode == 0, web.stderr  # gunicorn imported and built the app
        scheduler = subprocess.run([*_command("callqa-scheduler.service"), "--once", "sweep"],
                                   env=env, capture_output=True, text=True, timeout=120)
        assert scheduler.returncode == 0, scheduler.stderr
        assert "sweep: 0 of 0 unsent calls sent to the broker" in scheduler.stdout
        _run_worker_and_stop_it(env, url, tmp_path)


def _run_worker_and_stop_it(env: dict[str, str], url: str, folder: Path) -> None:
    """The worker as its unit starts it, then stopped as systemd stops it (SIGTERM to the main
    process): its process reports itself, then leaves cleanly."""
    from celerytools import wait_for
    from sqlalchemy import select

    from callqa.models import WorkerProcess
    from callqa.models.db import make_engine, make_session_factory

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    log = folder / "worker.log"
    with log.open("w") as stream:
        worker = subprocess.Popen(_command("callqa-worker.service"), stdout=stream,
                                  stderr=subprocess.STDOUT,
                                  env=dict(env, CALLQA_WORKER_PROCESSES="1"))
    try:
        def reported() -> bool:
            with sessions() as session:
                return session.scalar(select(WorkerProcess.id)) is not None
        wait_for(reported, 120, "the worker process", log.read_text)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, log.read_text()
        with sessions() as session:
            row = session.scalars(select(WorkerProcess)).one()
            assert row.stopped_at is not None and row.kind == "celery"
    finally:
        if worker.poll() is None:
            worker.kill()
        engine.dispose()

"""The scheduler: one lease holder runs the jobs, standbys take over, missed runs are logged."""
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import select

from callqa.models import Call, CallStatus, utcnow
from callqa.services.leases import LeaseKeeper, acquire, current, release
from callqa.services.scheduler import (
    DAILY_GRACE_S,
    LEASE,
    SchedulerService,
    lease_ttl_s,
    watch_events,
)

SAMPLE_FILES = ("cen025.flac", "cen028.mp3", "cpl004.flac", "cpl005.wav")


def _acquire(sessions, holder: str, ttl_s: float = 60.0, now: datetime | None = None) -> bool:
    with sessions.begin() as session:
        return acquire(session, "test", holder, ttl_s, now)


def test_a_lease_is_exclusive_until_it_expires(sessions):
    start = utcnow()
    assert _acquire(sessions, "a", now=start)
    assert not _acquire(sessions, "b", now=start + timedelta(seconds=30))
    assert _acquire(sessions, "a", now=start + timedelta(seconds=30))  # renewed to +90 s
    assert not _acquire(sessions, "b", now=start + timedelta(seconds=89))
    assert _acquire(sessions, "b", now=start + timedelta(seconds=91))  # a went quiet: b takes it
    assert not _acquire(sessions, "a", now=start + timedelta(seconds=92))
    with sessions() as session:
        lease = current(session, "test")
    assert lease.holder == "b" and lease.expires_at == start + timedelta(seconds=151)


def test_a_released_lease_can_be_taken_at_once(sessions):
    assert _acquire(sessions, "a")
    with sessions.begin() as session:
        assert not release(session, "test", "b")  # only the holder can release it
        assert release(session, "test", "a")
    assert _acquire(sessions, "b")


def test_only_one_of_many_first_takers_gets_the_lease(sessions):
    holders = [f"h{i}" for i in range(6)]
    start = threading.Barrier(len(holders))
    won: list[str] = []

    def take(holder: str) -> None:
        start.wait()
        if _acquire(sessions, holder):
            won.append(holder)

    threads = [threading.Thread(target=take, args=(h,)) for h in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with sessions() as session:
        assert won == [current(session, "test").holder]


def test_a_standby_runs_no_job_and_takes_over_when_the_holder_stops(sessions, settings):
    active = SchedulerService(sessions, settings, holder="active")
    standby = SchedulerService(sessions, settings, holder="standby")
    assert active.run_now("retention").ran
    assert not standby.run_now("retention").ran
    active.keeper.release()
    assert standby.run_now("retention").ran
    assert not active.run_now("retention").ran


def test_the_lease_keeper_logs_changes_of_holder(sessions, caplog):
    caplog.set_level(logging.INFO, logger="callqa")
    first = LeaseKeeper(sessions, "test", ttl_s=60, holder="first")
    second = LeaseKeeper(sessions, "test", ttl_s=60, holder="second")
    assert first.hold() and not second.hold() and not second.hold()
    assert caplog.text.count("standby: lease 'test' is held by first") == 1
    first.release()
    assert second.hold() and not first.hold()
    assert "acquired lease 'test' as second" in caplog.text
    assert "lost lease 'test' to second" not in caplog.text  # first had let it go itself


def test_every_job_sets_misfire_grace_and_coalesce(sessions, settings, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    service = SchedulerService(sessions, replace(settings, inbox_dir=inbox, inbox_interval_s=2))
    service.start()
    try:
        jobs = {job.id: job for job in service.scheduler.get_jobs()}
    finally:
        service.stop()
    assert set(jobs) == {"inbox", "lease", "webhooks", "fcr", "retention"}
    assert {j.coalesce for j in jobs.values()} == {True}
    assert {j.max_instances for j in jobs.values()} == {1}
    grace = {name: job.misfire_grace_time for name, job in jobs.items()}
    assert grace == {"inbox": 2, "lease": 2, "webhooks": 2, "fcr": DAILY_GRACE_S,
                     "retention": DAILY_GRACE_S}
    assert "hour='2'" in str(jobs["fcr"].trigger) and "hour='3'" in str(jobs["retention"].trigger)
    assert lease_ttl_s(service.settings) == 6


def test_missed_runs_are_logged(caplog):
    caplog.set_level(logging.WARNING, logger="callqa")
    scheduler = BackgroundScheduler()
    watch_events(scheduler)
    ran = threading.Event()
    long_ago = datetime.now(UTC) - timedelta(seconds=30)
    scheduler.add_job(ran.set, DateTrigger(run_date=long_ago), id="late",
                      misfire_grace_time=1, coalesce=True)
    scheduler.start()
    try:
        deadline = time.monotonic() + 5
        while "missed run of job late" not in caplog.text:
            assert time.monotonic() < deadline, caplog.text
            time.sleep(0.05)
    finally:
        scheduler.shutdown()
    assert not ran.is_set()


# The scheduler command, as its own processes.

def _env(settings, inbox: Path) -> dict[str, str]:
    return dict(os.environ, CALLQA_DATABASE_URL=settings.db_url, CALLQA_HOME=str(settings.home),
                CALLQA_INBOX_DIR=str(inbox), CALLQA_INBOX_INTERVAL_S="1")


def _start_scheduler(settings, inbox: Path, log: Path) -> subprocess.Popen:
    with open(log, "w") as stream:
        return subprocess.Popen([sys.executable, "-m", "callqa", "scheduler"],
                                env=_env(settings, inbox), stdout=stream,
                                stderr=subprocess.STDOUT)


def _wait_until(predicate, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _calls(sessions) -> list[Call]:
    with sessions() as session:
        return list(session.scalars(select(Call).order_by(Call.id)))


def _inbox_runs(log_text: str) -> int:
    return len(re.findall(r"callqa\.services\.scheduler: job inbox: ", log_text))


def _holder(log_text: str) -> str | None:
    found = re.findall(r"acquired lease 'scheduler' as (\S+)", log_text)
    return found[-1] if found else None


def test_two_scheduler_processes_ingest_each_recording_once(sessions, settings, samples,
                                                            tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in SAMPLE_FILES:
        shutil.copy(samples / name, inbox)
    logs = [tmp_path / "scheduler-1.log", tmp_path / "scheduler-2.log"]
    processes = [_start_scheduler(settings, inbox, log) for log in logs]
    try:
        _wait_until(lambda: len(_calls(sessions)) >= len(SAMPLE_FILES)
                    and not list(inbox.glob("*.*")), timeout_s=20)
        time.sleep(2.5)  # more ticks, in which a second runner would show itself

        texts = [log.read_text() for log in logs]
        runs = [_inbox_runs(text) for text in texts]
        active = runs.index(max(runs))
        standby = 1 - active
        assert runs[standby] == 0 and runs[active] >= 2, texts
        holder = _holder(texts[active])
        assert holder and _holder(texts[standby]) is None, texts
        assert f"standby: lease 'scheduler' is held by {holder}" in texts[standby]

        # The holder dies without a word; the standby takes over once its lease expires.
        processes[active].send_signal(signal.SIGKILL)
        processes[active].wait()
        (inbox / "notes.wav").write_text("not audio at all\n")
        _wait_until(lambda: len(_calls(sessions)) > len(SAMPLE_FILES), timeout_s=15)
        _wait_until(lambda: not (inbox / "notes.wav").exists(), timeout_s=5)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=15)

    texts = [log.read_text() for log in logs]
    assert processes[standby].returncode == 0, texts[standby]
    assert _holder(texts[standby]) not in (None, holder), texts[standby]
    assert _inbox_runs(texts[standby]) >= 1
    assert f"released lease 'scheduler' ({_holder(texts[standby])})" in texts[standby]
    assert "duplicate" not in texts[0] + texts[1]
    calls = _calls(sessions)
    assert sorted(c.original_filename for c in calls) == sorted([*SAMPLE_FILES, "notes.wav"])
    assert [c.status for c in calls].count(CallStatus.FAILED) == 1
    assert sorted(p.name for p in (inbox / "ingested").iterdir()) == sorted(
        [*SAMPLE_FILES, "notes.wav"])


def _once(settings, inbox: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "callqa", "scheduler", "--once", *args],
                          env=dict(_env(settings, inbox), **env), capture_output=True,
                          text=True, timeout=60)


def test_scheduler_once_runs_one_job_under_the_lease(sessions, settings, samples, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(samples / "cen028.mp3", inbox)

    inbox_run = _once(settings, inbox, "inbox", "--settle", "0.2")
    assert inbox_run.returncode == 0, inbox_run.stderr
    assert "inbox: 1 in inbox, 0 waiting, 1 queued" in inbox_run.stdout
    assert [c.original_filename for c in _calls(sessions)] == ["cen028.mp3"]

    retention = _once(settings, inbox, "retention")
    assert "retention off: nothing deleted" in retention.stdout, retention.stderr

    other = LeaseKeeper(sessions, LEASE, ttl_s=60, holder="a-running-scheduler")
    assert other.hold()
    refused = _once(settings, inbox, "retention", CALLQA_RETENTION_DAYS="30")
    assert "not run, another scheduler holds the lease" in refused.stdout, refused.stderr
    other.release()

    too_short = _once(settings, inbox, "retention", CALLQA_RETENTION_DAYS="1")
    assert too_short.returncode == 2, too_short.stdout
    assert "CALLQA_RETENTION_DAYS=1 is shorter than the FCR window (7 days)" in too_short.stderr

    no_inbox = _once(settings, inbox, "inbox", CALLQA_INBOX_DIR="")
    assert no_inbox.returncode == 2 and "set CALLQA_INBOX_DIR" in no_inbox.stderr


def test_the_scheduler_refuses_to_start_with_retention_shorter_than_the_fcr_window(
        sessions, settings):
    from callqa.services.scheduler import JobUnavailable, serve

    stop = threading.Event()
    stop.set()
    with pytest.raises(JobUnavailable, match="shorter than the FCR window"):
        serve(sessions, replace(settings, retention_days=6), stop)
    with sessions() as session:
        assert current(session, LEASE) is None  # it never took the lease
    serve(sessions, replace(settings, retention_days=7), stop)  # a week is enough: it starts

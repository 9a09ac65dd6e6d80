"""Celery's configuration for long ML tasks, set and checked one by one; claiming by task, so a
redelivered task never stores twice; requeue; what `callqa worker` refuses, with the reason.
No worker processes here (tests/test_celery.py runs them)."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pytest
from dbtools import PG_URL
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from callqa.models import Call, CallStatus, utcnow
from callqa.models.db import scratch_schema
from callqa.qa.metadata import CallMetadata
from callqa.services.celery_app import (
    TASK,
    available_cores,
    celery_config,
    make_celery,
    oversubscription,
    worker_processes,
)
from callqa.services.claims import claim_call, give_up_on_dead_deliveries, heartbeat, owned_call
from callqa.services.dispatch import BrokerUnusable, check_broker, requeue
from callqa.services.ingest import ingest_recording
from callqa.services.worker import Worker
from callqa.settings import Settings, load_settings


def test_the_settings_for_long_ml_tasks_are_set_explicitly():
    settings = Settings(broker_url="redis://127.0.0.1:6379/0", max_duration_s=4 * 3600,
                        cpu_threads=1, worker_processes=2)
    conf = make_celery(settings).conf
    assert conf.task_acks_late is True  # acknowledged once the call is stored
    assert conf.task_reject_on_worker_lost is True  # a dead process's task goes back
    assert conf.worker_prefetch_multiplier == 1  # one call reserved per process
    assert conf.task_soft_time_limit == 4 * 3600  # default: no slower than real time
    assert conf.task_time_limit == 4 * 3600 + 60
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert visibility > conf.task_time_limit > settings.max_duration_s
    assert conf.worker_concurrency == 2
    assert conf.task_default_queue == "callqa" and conf.task_ignore_result is True
    task = make_celery(settings).tasks[TASK]  # the database away: tried again, never dropped
    assert task.autoretry_for == (SQLAlchemyError,) and task.max_retries is None
    # RabbitMQ 3.12+: each consumer asks for as long as Redis's visibility timeout before its
    # channel is closed for an unacknowledged delivery (consumer_timeout, 30 min by default)
    queue, = conf.task_queues
    assert queue.name == "callqa" and queue.exchange.name == "callqa" and queue.durable
    assert queue.consumer_arguments == {"x-consumer-timeout": visibility * 1000}
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is False
    assert conf.worker_proc_alive_timeout >= 60  # a new process loads the model first
    limited = celery_config(replace(settings, task_time_limit_s=600))
    assert (limited["task_soft_time_limit"], limited["task_time_limit"]) == (600, 660)
    assert limited["broker_transport_options"]["visibility_timeout"] > 660


def test_processes_times_threads_fit_the_cores():
    cores = available_cores()
    assert worker_processes(Settings(cpu_threads=1)) == cores
    assert worker_processes(Settings(cpu_threads=2)) == max(1, cores // 2)
    assert oversubscription(Settings(cpu_threads=1, worker_processes=cores)) is None
    problem = oversubscription(Settings(cpu_threads=2, worker_processes=cores))
    assert problem is not None and f"{cores} cores" in problem


def test_a_broker_with_sqlite_is_refused_with_the_reason(tmp_path):
    settings = Settings(home=tmp_path, broker_url="redis://127.0.0.1:6379/0")
    with pytest.raises(BrokerUnusable, match="database is SQLite"):
        check_broker(settings)
    with pytest.raises(BrokerUnusable, match="not a supported broker"):
        check_broker(Settings(broker_url="kafka://x", database_url="postgresql+psycopg://x/y"))
    check_broker(Settings(home=tmp_path))  # no broker: SQLite is the default
    run = subprocess.run([sys.executable, "-m", "callqa", "calls"], text=True,
                         capture_output=True, timeout=120,
                         env=dict(os.environ, CALLQA_HOME=str(tmp_path),
                                  CALLQA_BROKER_URL="redis://127.0.0.1:6379/0"))
    assert run.returncode == 1
    assert "the database is SQLite" in run.stderr and "PostgreSQL" in run.stderr
    from callqa.web import create_app

    with pytest.raises(BrokerUnusable, match="SQLite"):
        create_app({"CALLQA_SETTINGS": settings})


def _pg_env(url: str, tmp_path, **extra: str) -> dict[str, str]:
    return dict(os.environ, CALLQA_HOME=str(tmp_path), CALLQA_DATABASE_URL=url, **extra)


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (CALLQA_TEST_DATABASE_URL)")
def test_callqa_worker_says_what_is_missing(tmp_path):
    with scratch_schema(PG_URL, "w") as url:
        def worker(*args: str, **env: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "callqa", "worker", *args], text=True,
                                  capture_output=True, timeout=120,
                                  env=_pg_env(url, tmp_path, **env))

        alone = worker()
        assert alone.returncode == 2 and "needs CALLQA_BROKER_URL" in alone.stderr
        too_many = worker("--processes", str(available_cores() + 1),
                          CALLQA_BROKER_URL="redis://127.0.0.1:1/0")
        assert too_many.returncode == 2 and "more than the" in too_many.stderr
        # Celery missing: the same command in an interpreter where it cannot be imported
        no_celery = subprocess.run(
            [sys.executable, "-c", "import sys; sys.modules['celery'] = None;"
             "from callqa.cli.main import main; main()", "worker"],
            text=True, capture_output=True, timeout=120,
            env=_pg_env(url, tmp_path, CALLQA_BROKER_URL="redis://127.0.0.1:1/0"))
        assert no_celery.returncode == 1
        assert "Celery is not installed" in no_celery.stderr


def _queued_call(sessions, settings, samples, name="cen025.flac") -> int:
    return ingest_recording(sessions, settings, samples / name, CallMetadata(language="en")).call_id


def test_a_redelivery_of_the_same_task_takes_the_claim_over_and_a_duplicate_does_not(
        sessions, settings, samples):
    call_id = _queued_call(sessions, settings, samples)
    with sessions.begin() as session:
        first = claim_call(session, call_id, "task-1", settings.stale_claim_s, "w1")
    assert first is not None and first.attempt == 1
    with sessions.begin() as session:  # another task's message for the same call: not now
        assert claim_call(session, call_id, "task-2", settings.stale_claim_s, "w2") is None
    with sessions.begin() as session:  # task-1 again: its first delivery died
        second = claim_call(session, call_id, "task-1", settings.stale_claim_s, "w2")
    assert second is not None and second.attempt == 2 and second.token != first.token
    with sessions.begin() as session:
        assert not heartbeat(session, first) and owned_call(session, first) is None
        assert heartbeat(session, second)
        assert session.get(Call, call_id).worker == "w2"


def test_two_deliveries_of_one_call_never_both_store(sessions, settings, samples, transcriber):
    """The first delivery, presumed dead but still running, loses its claim to the redelivery:
    it transcribes in vain and stores nothing; the redelivery stores the call once."""
    call_id = _queued_call(sessions, settings, samples)
    worker = Worker(sessions, settings, lambda: transcriber)
    with sessions.begin() as session:
        first = claim_call(session, call_id, "task-1", settings.stale_claim_s)
    with sessions.begin() as session:
        second = claim_call(session, call_id, "task-1", settings.stale_claim_s)
    assert first is not None and second is not None
    assert worker.process(first).status == "lost"
    assert worker.process(second).status == CallStatus.DONE
    with sessions() as session:
        call = session.get(Call, call_id)
        assert call.attempts == 2 and call.claim_token is None
        positions = [u.position for u in call.utterances]
        assert positions == list(range(len(positions))) and positions
    assert worker.process_call(call_id, "task-1") is None  # redelivered after done: no-op
    assert worker.process_call(call_id, "task-3") is None
    with sessions() as session:
        assert session.get(Call, call_id).attempts == 2


def test_deliveries_are_bounded_in_the_database(sessions, settings, samples):
    call_id = _queued_call(sessions, settings, samples)
    for attempt in range(1, settings.max_attempts + 1):
        with sessions.begin() as session:
            assert not give_up_on_dead_deliveries(session, call_id, "task-1",
                                                  settings.stale_claim_s, settings.max_attempts)
            claim = claim_call(session, call_id, "task-1", settings.stale_claim_s)
        assert claim is not None and claim.attempt == attempt  # then the worker is killed
    with sessions.begin() as session:
        assert give_up_on_dead_deliveries(session, call_id, "task-1", settings.stale_claim_s,
                                          settings.max_attempts)
    with sessions() as session:
        call = session.get(Call, call_id)
        assert call.status == CallStatus.FAILED
        assert call.error == "gave up after 3 attempts: the worker stopped during each"


def test_requeue_sends_failed_and_stale_calls_back(sessions, settings, samples, corpus):
    failed = ingest_recording(sessions, settings, corpus / "bad" / "empty.wav",
                              CallMetadata(language="en")).call_id
    stale = _queued_call(sessions, settings, samples)
    with sessions.begin() as session:
        claim_call(session, stale, "task-1", settings.stale_claim_s)
    assert requeue(sessions, settings, "stale") == []  # its heartbeat is fresh
    with sessions.begin() as session:
        session.get(Call, stale).heartbeat_at = utcnow().replace(year=2000)
    assert requeue(sessions, settings, "stale") == [stale]
    assert requeue(sessions, settings, "failed") == [failed]
    with sessions() as session:
        calls = session.scalars(select(Call).where(Call.id.in_([failed, stale]))).all()
        assert {(c.status, c.attempts, c.error, c.claim_token) for c in calls} == {
            (CallStatus.QUEUED, 0, None, None)}
    with pytest.raises(ValueError):
        requeue(sessions, settings, "done")


def test_broker_settings_are_read_from_the_environment():
    settings = load_settings({"CALLQA_BROKER_URL": "amqp://guest:guest@h:5672//",
                              "CALLQA_CELERY_QUEUE": "calls", "CALLQA_WORKER_PROCESSES": "4",
                              "CALLQA_TASK_TIME_LIMIT_S": "900", "CALLQA_SWEEP_AFTER_S": "120",
                              "CALLQA_RESEND_AFTER_S": "1200"})
    assert settings.uses_broker and settings.celery_queue == "calls"
    assert (settings.worker_processes, settings.task_soft_limit_s, settings.sweep_after_s,
            settings.resend_after_s) == (4, 900.0, 120.0, 1200.0)
    assert not Settings().uses_broker and Settings().task_soft_limit_s == Settings().max_duration_s



def test_a_redelivery_leaves_the_call_to_an_earlier_delivery_that_still_works_on_it(
        sessions, settings, samples, transcriber):
    """RabbitMQ's consumer_timeout (or Redis's visibility timeout) hands a task on while its
    first delivery still works: the redelivery sees the heartbeat go on and leaves the call;
    once that heartbeat stops (the first delivery died), a redelivery takes the call over,
    here one left transcribed, scored from the stored transcript."""
    from recoverytools import left_transcribed, never_transcribe, stored

    from callqa.services.heartbeats import HeartbeatTimer

    quick = replace(settings, heartbeat_s=0.3)
    call_id = _queued_call(sessions, quick, samples)
    Worker(sessions, quick, lambda: transcriber).run()
    before = stored(sessions, call_id)
    left_transcribed(sessions, call_id, task="task-1", silent_for_s=0)
    with sessions.begin() as session:
        first = claim_call(session, call_id, "task-1", quick.stale_claim_s, "w1")
    assert first is not None and first.transcribed
    worker = Worker(sessions, quick, never_transcribe)
    with HeartbeatTimer(sessions, first, quick.heartbeat_s):  # the first delivery works on
        assert worker.process_call(call_id, "task-1") is None
    with sessions.begin() as session:
        assert heartbeat(session, first)  # still the first delivery's
    outcome = worker.process_call(call_id, "task-1")  # its heartbeat stopped: it died
    assert outcome is not None and outcome.status == CallStatus.DONE
    assert stored(sessions, call_id) == before
    with sessions() as session:
        call = session.get(Call, call_id)
        assert (call.status, call.attempts, call.claim_token) == (CallStatus.DONE, 3, None)


def test_the_sweep_finds_calls_lost_by_the_broker_and_calls_whose_worker_died(
        sessions, settings, samples, transcriber):
    """What the sweep would send, by reason; the broker's queue depth bounds the queued calls
    sent long ago that are taken for lost (the oldest sent): it holds at most that many."""
    from datetime import timedelta

    from recoverytools import left_transcribed

    from callqa.services.dispatch import unsent

    done = _queued_call(sessions, settings, samples)
    Worker(sessions, settings, lambda: transcriber).run()
    ids = [_queued_call(sessions, settings, samples, name)
           for name in ("cen028.mp3", "cpl004.flac", "cpl005.wav")]
    left_transcribed(sessions, done, silent_for_s=2 * settings.stale_claim_s)
    hour_ago = utcnow() - timedelta(hours=1)
    with sessions.begin() as session:
        for minutes, call_id in zip((0, 1, 2), ids, strict=True):  # sent oldest first
            session.get(Call, call_id).enqueued_at = hour_ago + timedelta(minutes=minutes)
    lenient = replace(settings, broker_url="redis://127.0.0.1:6379/0", resend_after_s=60)

    def plan(depth):
        with sessions() as session:
            return {r.reason.split(" (")[0].split(":")[0]: r.call_ids
                    for r in unsent(session, lenient, depth)}
    dead = "its worker stopped after storing its transcript, before scoring"
    lost = "queued, sent over 60 s ago and no longer in the broker's queue"
    assert plan(None) == {dead: [done]}  # queue depth unknown: no queued call taken for lost
    assert plan(3) == {dead: [done]}  # all three may still wait in the queue
    assert plan(1) == {dead: [done], lost: ids[:2]}
    assert plan(0) == {dead: [done], lost: ids}
    assert plan(0) == plan(0)  # the plan itself changes nothing
    patient = replace(lenient, resend_after_s=7200)
    with sessions() as session:
        assert [r.call_ids for r in unsent(session, patient, 0)] == [[done]]

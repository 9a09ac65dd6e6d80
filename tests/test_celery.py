"""Celery end to end on real Redis and real RabbitMQ, with real `callqa worker` processes and
PostgreSQL: every call done exactly once with the embedded worker's results, a worker process
killed mid-transcription, a recording that kills its worker every time, the broker down at
ingest. One set of two worker processes (two "machines", one process each) per broker serves
the whole module; the shortest corpus calls keep it to a few minutes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from celerytools import (
    MODEL_CACHE,
    WorkerSet,
    broker_url_or_skip,
    call_row,
    delete_queue,
    purge_queue,
    queue_length,
    unique_queue,
    wait_for,
    wait_ready,
    worker_env,
)
from dbtools import PG_URL
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callqa.models import Call, CallStatus, WorkerProcess
from callqa.models.db import make_engine, make_session_factory, scratch_schema, upgrade_schema
from callqa.qa.metadata import read_manifest
from callqa.services.ingest import ingest_recording
from callqa.services.worker import Worker
from callqa.settings import Settings

SHORTEST = ("cen024", "cen031", "cpl008", "cen029", "cpl001", "cen026")  # 26-35 s each
KILLED_ON = "cpl019"  # 36 s: killed once mid-transcription
POISON = "cpl020"  # 37 s: its worker is killed on every delivery
RESUMED = "cen028"  # 35 s: left transcribed by a worker that died before scoring it
FINISHED = (CallStatus.DONE, CallStatus.NO_SPEECH, CallStatus.FAILED)


def _pg_url() -> str:
    if not PG_URL:
        pytest.skip("Celery needs PostgreSQL: set CALLQA_TEST_DATABASE_URL")
    return PG_URL


def _corpus_jobs(corpus: Path, ids: tuple[str, ...]):
    jobs = {m.external_id: (p, m) for p, m in read_manifest(corpus / "manifest.jsonl")}
    return [jobs[i] for i in ids]


def _results(sessions: sessionmaker[Session]) -> dict[str, tuple]:
    """What processing stored for each call, by recording name: status, utterances, score,
    checklist verdicts."""
    with sessions() as session:
        calls = session.scalars(select(Call).where(Call.original_filename.in_(
            [f"{i}.{ext}" for i in SHORTEST for ext in ("wav", "mp3", "flac", "opus")])))
        return {
            c.original_filename: (
                c.status,
                tuple((u.speaker, u.start_s, u.end_s, u.text) for u in c.utterances),
                c.score.score if c.score else None,
                tuple(sorted((i.item_id, i.verdict) for i in c.score.items)) if c.score else (),
            ) for c in calls}


@pytest.fixture(scope="module")
def embedded_results(corpus, transcriber, tmp_path_factory) -> dict[str, tuple]:
    """The six calls through the embedded worker (no broker), to compare with."""
    folder = tmp_path_factory.mktemp("embedded")
    with scratch_schema(_pg_url(), "e") as url:
        settings = Settings(home=folder / "home", database_url=url, model_cache_dir=MODEL_CACHE)
        engine = make_engine(url)
        upgrade_schema(engine)
        sessions = make_session_factory(engine)
        for path, meta in _corpus_jobs(corpus, SHORTEST):
            ingest_recording(sessions, settings, path, meta)
        Worker(sessions, settings, lambda: transcriber).run()
        results = _results(sessions)
        engine.dispose()
    assert len(results) == len(SHORTEST)
    return results


@dataclass
class Cluster:
    kind: str
    settings: Settings
    sessions: sessionmaker[Session]
    workers: WorkerSet
    folder: Path


@pytest.fixture(scope="module", params=["redis", "rabbitmq"])
def cluster(request, tmp_path_factory, corpus):
    broker = broker_url_or_skip(request.param)
    folder = tmp_path_factory.mktemp(f"celery-{request.param}")
    queue = unique_queue()
    with scratch_schema(_pg_url(), "c") as url:
        settings = Settings(home=folder / "home", database_url=url, model_cache_dir=MODEL_CACHE,
                            broker_url=broker, celery_queue=queue, heartbeat_s=1.0,
                            max_attempts=3)
        engine = make_engine(url)
        upgrade_schema(engine)
        sessions = make_session_factory(engine)
        workers = WorkerSet().start(settings, folder, count=2)
        try:
            wait_ready(sessions, 2, workers=workers)
            yield Cluster(request.param, settings, sessions, workers, folder)
        finally:
            workers.stop()
            engine.dispose()
            delete_queue(broker, queue)


def _manifest_of(corpus: Path, ids: tuple[str, ...], folder: Path) -> Path:
    lines = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text().splitlines()
             if line.strip()]
    chosen = [dict(d, file=str(corpus / d["file"])) for d in lines if d["id"] in ids]
    path = folder / "calls.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in chosen))
    return path


def _wait_finished(cluster: Cluster, call_ids: list[int], timeout_s: float = 240.0) -> None:
    def finished() -> bool:
        with cluster.sessions() as session:
            statuses = session.scalars(select(Call.status).where(Call.id.in_(call_ids))).all()
        return all(s in FINISHED for s in statuses)
    wait_for(finished, timeout_s, f"calls {call_ids}", cluster.workers.outputs)


def test_six_calls_through_two_workers_are_each_done_once_as_the_embedded_worker_does(
        cluster, corpus, embedded_results):
    manifest = _manifest_of(corpus, SHORTEST, cluster.folder)
    ingest = subprocess.run([sys.executable, "-m", "callqa", "ingest", "--manifest", str(manifest)],
                            env=worker_env(cluster.settings), capture_output=True, text=True,
                            timeout=120)
    assert ingest.returncode == 0, ingest.stderr
    assert "6 queued" in ingest.stdout, ingest.stdout
    with cluster.sessions() as session:
        calls = session.scalars(select(Call)).all()
        assert len(calls) == 6 and all(c.enqueued_at is not None for c in calls)
        ids = [c.id for c in calls]
    _wait_finished(cluster, ids)
    with cluster.sessions() as session:
        calls = session.scalars(select(Call).where(Call.id.in_(ids))).all()
        assert {c.status for c in calls} == {CallStatus.DONE}, cluster.workers.outputs()
        assert [c.attempts for c in calls] == [1] * 6  # one delivery each, no redelivery
        assert all(c.claim_token is None for c in calls)
        by_worker = Counter(c.worker for c in calls)
        workers = {w.id: w for w in session.scalars(select(WorkerProcess))}
    assert len(by_worker) == 2, by_worker  # both machines took calls
    assert {w: workers[w].calls_done for w in by_worker} == dict(by_worker)
    assert _results(cluster.sessions) == embedded_results


def test_a_delivery_for_a_done_call_does_nothing(cluster):
    from callqa.services.dispatch import enqueue

    with cluster.sessions() as session:
        call = session.scalars(select(Call).where(Call.status == CallStatus.DONE)
                               .order_by(Call.id)).first()
        assert call is not None
        deliveries = sum(session.scalars(select(WorkerProcess.deliveries)))
        done = sum(session.scalars(select(WorkerProcess.calls_done)))
    assert enqueue(cluster.sessions, cluster.settings, [call.id]) == [call.id]

    def delivered() -> bool:
        with cluster.sessions() as session:
            rows = session.scalars(select(WorkerProcess)).all()
            return (sum(r.deliveries for r in rows) == deliveries + 1
                    and all(r.current_call_id is None for r in rows))
    wait_for(delivered, 60, "the delivery", cluster.workers.outputs)
    again = call_row(cluster.sessions, call.id)
    assert (again.status, again.attempts, again.transcribed_at, again.worker) == (
        CallStatus.DONE, call.attempts, call.transcribed_at, call.worker)
    with cluster.sessions() as session:
        assert sum(session.scalars(select(WorkerProcess.calls_done))) == done


def _claimed(cluster: Cluster, call_id: int, attempt: int) -> Call:
    """The call once delivery `attempt` has claimed it."""
    def claimed() -> bool:
        call = call_row(cluster.sessions, call_id)
        return call.status == CallStatus.TRANSCRIBING and call.attempts == attempt
    wait_for(claimed, 120, f"delivery {attempt} of call {call_id}", cluster.workers.outputs)
    return call_row(cluster.sessions, call_id)


def _kill(worker_id: str) -> None:
    os.kill(int(worker_id.split(":")[1]), signal.SIGKILL)


def test_a_worker_process_killed_mid_transcription_has_its_call_finished_once_by_another(
        cluster, corpus):
    (path, meta), = _corpus_jobs(corpus, (KILLED_ON,))
    call_id = ingest_recording(cluster.sessions, cluster.settings, path, meta).call_id
    victim = _claimed(cluster, call_id, 1).worker
    assert victim is not None
    _kill(victim)
    _wait_finished(cluster, [call_id], 180)
    call = call_row(cluster.sessions, call_id)
    assert call.status == CallStatus.DONE, call.error
    assert call.attempts == 2 and call.worker != victim and call.claim_token is None
    with cluster.sessions() as session:
        positions = [u.position for u in session.get(Call, call_id).utterances]
        assert positions == list(range(len(positions))) and positions  # stored once
        dead = session.get(WorkerProcess, victim)
        assert dead.current_call_id == call_id and dead.stopped_at is None  # died holding it
        assert session.get(WorkerProcess, call.worker).calls_done >= 1


def test_a_recording_that_kills_its_worker_every_time_fails_after_the_configured_deliveries(
        cluster, corpus):
    (path, meta), = _corpus_jobs(corpus, (POISON,))
    call_id = ingest_recording(cluster.sessions, cluster.settings, path, meta).call_id
    victims = []
    for attempt in range(1, cluster.settings.max_attempts + 1):
        worker = _claimed(cluster, call_id, attempt).worker
        assert worker is not None
        victims.append(worker)
        _kill(worker)
    _wait_finished(cluster, [call_id], 180)
    call = call_row(cluster.sessions, call_id)
    assert call.status == CallStatus.FAILED
    assert call.error == "gave up after 3 attempts: the worker stopped during each"
    assert call.attempts == 3 and len(set(victims)) == 3


def test_a_call_left_transcribed_by_a_dead_worker_is_swept_and_scored_without_transcribing(
        cluster, corpus):
    """Its worker died after storing the transcript, before scoring (the broker had its task
    acknowledged or lost): the sweep sends it again and a worker scores the stored transcript."""
    from recoverytools import left_transcribed, stored

    from callqa.services.dispatch import sweep

    (path, meta), = _corpus_jobs(corpus, (RESUMED,))
    call_id = ingest_recording(cluster.sessions, cluster.settings, path, meta).call_id
    _wait_finished(cluster, [call_id])
    before = stored(cluster.sessions, call_id)
    assert before[3] is not None, cluster.workers.outputs()
    left_transcribed(cluster.sessions, call_id, task="a-task-of-the-dead-worker",
                     silent_for_s=2 * cluster.settings.stale_claim_s)
    swept = sweep(cluster.sessions, cluster.settings)
    assert swept.startswith("1 of 1 ") and "before scoring" in swept, swept
    _wait_finished(cluster, [call_id], 120)
    call = call_row(cluster.sessions, call_id)
    assert (call.status, call.attempts, call.claim_token) == (CallStatus.DONE, 2, None)
    assert stored(cluster.sessions, call_id) == before  # not transcribed again: same rows
    assert sweep(cluster.sessions, cluster.settings).startswith("0 of 0 ")


def test_the_model_is_loaded_once_in_each_worker_process_and_never_in_the_parent(cluster):
    loads: Counter[int] = Counter()
    for worker in cluster.workers.workers:
        for line in worker.output().splitlines():
            if "model" in line and line.endswith("loaded") and "worker process" in line:
                loads[int(line.split("worker process ")[1].split(":")[0])] += 1
        maps = Path(f"/proc/{worker.process.pid}/maps").read_text()
        assert "ctranslate2" not in maps  # the Celery parent never loaded CTranslate2
        assert worker.process.pid not in loads
    with cluster.sessions() as session:
        children = set(session.scalars(select(WorkerProcess.pid)))
    assert set(loads) == children and set(loads.values()) == {1}, loads


# --- the broker down at ingest, then back ---------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int, folder: Path) -> subprocess.Popen:
    from celerytools import reachable, redis_server

    server = redis_server()
    if server is None:
        pytest.skip("redis-server is not installed")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: reachable(f"redis://127.0.0.1:{port}/0"), 20, "redis-server")
    return process


def test_a_call_ingested_while_the_broker_is_down_stays_queued_and_is_sent_once_it_is_back(
        tmp_path, samples):
    from callqa.qa.metadata import CallMetadata
    from callqa.services.dispatch import sweep, unsent

    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    with scratch_schema(_pg_url(), "d") as url:
        settings = Settings(home=tmp_path / "home", database_url=url, model_cache_dir=MODEL_CACHE,
                            broker_url=broker, celery_queue="callqa_down", sweep_after_s=300)
        engine = make_engine(url)
        upgrade_schema(engine)
        sessions = make_session_factory(engine)
        outcome = ingest_recording(sessions, settings, samples / "cen025.flac",
                                   CallMetadata(language="en"))
        assert outcome.status == CallStatus.QUEUED  # stored: the broker being down loses nothing
        assert call_row(sessions, outcome.call_id).enqueued_at is None
        with sessions() as session:
            assert unsent(session, settings) == []  # too young: ingest may still be sending it
        now = replace(settings, sweep_after_s=0)
        assert sweep(sessions, now).startswith("0 of 1 ")  # still down
        redis = _start_redis(port, tmp_path)
        try:
            assert sweep(sessions, now).startswith("1 of 1 ")
            assert call_row(sessions, outcome.call_id).enqueued_at is not None
            assert queue_length(broker, "callqa_down") == 1
            assert sweep(sessions, now).startswith("0 of 0 ")  # sent once, not every sweep
            assert queue_length(broker, "callqa_down") == 1
        finally:
            redis.terminate()
            redis.wait()
            engine.dispose()


@pytest.mark.parametrize("kind", ["redis", "rabbitmq"])
def test_a_task_the_broker_lost_is_sent_again_and_a_duplicate_delivery_does_nothing(
        tmp_path, corpus, kind):
    """The queue purged after ingest (as a Redis restarted without persistence forgets it):
    the sweep sends the call again, once, as its task is no longer in the queue; a second
    task for the same call on top is a no-op delivery; the call is done once."""
    import time

    from callqa.services.dispatch import enqueue, sweep

    broker = broker_url_or_skip(kind)
    queue = unique_queue()
    with scratch_schema(_pg_url(), "l") as url:
        settings = Settings(home=tmp_path / "home", database_url=url, model_cache_dir=MODEL_CACHE,
                            broker_url=broker, celery_queue=queue, heartbeat_s=1.0,
                            resend_after_s=1.0)
        engine = make_engine(url)
        upgrade_schema(engine)
        sessions = make_session_factory(engine)
        workers = WorkerSet()
        try:
            (path, meta), = _corpus_jobs(corpus, (SHORTEST[0],))
            call_id = ingest_recording(sessions, settings, path, meta).call_id
            assert call_row(sessions, call_id).enqueued_at is not None
            assert purge_queue(broker, queue) == 1 and queue_length(broker, queue) == 0
            time.sleep(settings.resend_after_s + 0.1)
            swept = sweep(sessions, settings)
            assert swept.startswith("1 of 1 ") and "the broker lost it" in swept, swept
            assert queue_length(broker, queue) == 1
            time.sleep(settings.resend_after_s + 0.1)
            assert sweep(sessions, settings).startswith("0 of 0 ")  # its task waits again
            assert enqueue(sessions, settings, [call_id]) == [call_id]  # a duplicate task
            assert queue_length(broker, queue) == 2
            workers.start(settings, tmp_path, count=1)
            wait_ready(sessions, 1, workers=workers)

            def both_delivered() -> bool:
                with sessions() as session:
                    rows = session.scalars(select(WorkerProcess)).all()
                    return (sum(r.deliveries for r in rows) == 2
                            and all(r.current_call_id is None for r in rows))
            wait_for(both_delivered, 180, "two deliveries", workers.outputs)
            call = call_row(sessions, call_id)
            assert (call.status, call.attempts, call.claim_token) == (CallStatus.DONE, 1, None)
            with sessions() as session:
                assert sum(session.scalars(select(WorkerProcess.calls_done))) == 1
            assert "nothing to do for task" in workers.outputs()
            assert queue_length(broker, queue) == 0
        finally:
            workers.stop()
            engine.dispose()
            delete_queue(broker, queue)


@pytest.mark.parametrize("closed", ["redis://127.0.0.1:1/0", "amqp://guest:guest@127.0.0.1:1//"])
def test_ingest_with_the_broker_unreachable_keeps_the_call_queued(tmp_path, samples, closed):
    from callqa.qa.metadata import CallMetadata

    with scratch_schema(_pg_url(), "d") as url:
        settings = Settings(home=tmp_path / "home", database_url=url, model_cache_dir=MODEL_CACHE,
                            broker_url=closed)
        engine = make_engine(url)
        upgrade_schema(engine)
        sessions = make_session_factory(engine)
        outcome = ingest_recording(sessions, settings, samples / "cpl005.wav",
                                   CallMetadata(language="pl"))
        call = call_row(sessions, outcome.call_id)
        assert (call.status, call.enqueued_at) == (CallStatus.QUEUED, None)
        engine.dispose()


def test_a_call_over_its_time_limit_fails_with_the_reason(tmp_path, corpus):
    """The soft time limit stops the call inside its worker process, which fails it with the
    reason and goes on (a worker of its own, with a limit of one second)."""
    broker = broker_url_or_skip("redis")
    queue = unique_queue()
    with scratch_schema(_pg_url(), "t") as url:
        settings = Settings(home=tmp_path / "home", database_url=url, model_cache_dir=MODEL_CACHE,
                            broker_url=broker, celery_queue=queue, heartbeat_s=1.0)
        engine = make_engine(url)
        upgrade_schema(engine)
        sessions = make_session_factory(engine)
        workers = WorkerSet().start(settings, tmp_path, count=1, CALLQA_TASK_TIME_LIMIT_S="1")
        try:
            wait_ready(sessions, 1, workers=workers)
            (path, meta), = _corpus_jobs(corpus, (SHORTEST[0],))
            call_id = ingest_recording(sessions, settings, path, meta).call_id
            wait_for(lambda: call_row(sessions, call_id).status in FINISHED, 120,
                     "the call", workers.outputs)
            call = call_row(sessions, call_id)
            assert call.status == CallStatus.FAILED, workers.outputs()
            assert call.error == ("processing took longer than its time limit of 1 s"
                                  " (CALLQA_TASK_TIME_LIMIT_S)")
            assert call.attempts == 1
            with sessions() as session:
                assert session.get(Call, call_id).utterances == []
            assert workers.workers[0].process.poll() is None  # the worker goes on
        finally:
            workers.stop()
            engine.dispose()
            delete_queue(broker, queue)

"""No call is lost or processed twice: killed workers, stale claims, concurrent workers."""
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from callqa.models import Call, CallStatus, utcnow
from callqa.qa.metadata import CallMetadata, read_manifest
from callqa.services.claims import claim_next, give_up_on_stale, heartbeat
from callqa.services.ingest import ingest_recording
from callqa.services.worker import Worker


def _worker_env(settings, **extra: str) -> dict[str, str]:
    return dict(os.environ, CALLQA_DATABASE_URL=settings.db_url, CALLQA_HOME=str(settings.home),
                CALLQA_MODEL_CACHE_DIR=str(settings.model_cache_dir), **extra)


def _start_worker(settings, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "callqa", "process", "--no-progress"],
        env=_worker_env(settings, **extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _status(sessions, call_id: int) -> str:
    with sessions() as session:
        return session.get(Call, call_id).status


def _wait_for(predicate, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_killed_workers_call_is_taken_up_again_after_the_timeout(
        sessions, settings, samples, transcriber):
    call_id = ingest_recording(sessions, settings, samples / "cpl004.flac",
                               CallMetadata(language="pl")).call_id
    victim = _start_worker(settings)
    _wait_for(lambda: _status(sessions, call_id) == CallStatus.TRANSCRIBING)
    workers = _children(victim.pid)  # `callqa process` runs a worker process per core
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    _wait_for(lambda: not any(_alive(pid) for pid in workers), timeout_s=10.0)  # none left
    assert _status(sessions, call_id) == CallStatus.TRANSCRIBING

    patient = replace(settings, stale_claim_s=2.0)
    worker = Worker(sessions, patient, lambda: transcriber)
    assert worker.process_next() is None  # the claim is still fresh: nobody else takes it
    time.sleep(2.1)
    outcome = worker.process_next()
    assert (outcome.call_id, outcome.status) == (call_id, CallStatus.DONE)
    with sessions() as session:
        call = session.get(Call, call_id)
        assert call.attempts == 2 and call.claim_token is None and call.utterances


def test_two_workers_never_process_the_same_call(sessions, settings, samples, corpus):
    jobs = list(read_manifest(samples / "manifest.jsonl"))
    jobs += [(p, m) for p, m in read_manifest(corpus / "manifest.jsonl")
             if m.external_id in ("cen024", "cen031")]
    ids = [ingest_recording(sessions, settings, p, m).call_id for p, m in jobs]
    workers = [_start_worker(settings, CALLQA_CPU_THREADS="1") for _ in range(2)]
    outputs = [w.communicate(timeout=300)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    with sessions() as session:
        calls = session.scalars(select(Call).where(Call.id.in_(ids))).all()
        assert {c.status for c in calls} == {CallStatus.DONE}
        assert [c.attempts for c in calls] == [1] * len(ids)
    counts = [int(out.split("processed ")[1].split()[0]) for out in outputs]
    assert sum(counts) == len(ids) and min(counts) >= 1, outputs


def _make_stale(sessions, call_id: int, attempts: int) -> None:
    with sessions.begin() as session:
        session.execute(update(Call).where(Call.id == call_id).values(
            status=CallStatus.TRANSCRIBING, heartbeat_at=utcnow() - timedelta(hours=1),
            attempts=attempts, claim_token="dead-worker"))


def test_claims_are_exclusive_and_a_taken_over_claim_loses_its_heartbeat(
        sessions, settings, samples):
    call_id = ingest_recording(sessions, settings, samples / "cen028.mp3", CallMetadata()).call_id
    with sessions.begin() as session:
        first = claim_next(session, stale_after_s=60)
    with sessions.begin() as session:
        assert claim_next(session, stale_after_s=60) is None
    _make_stale(sessions, call_id, attempts=1)
    with sessions.begin() as session:
        second = claim_next(session, stale_after_s=60)
    assert (second.call_id, second.attempt) == (call_id, 2) and second.token != first.token
    with sessions.begin() as session:
        assert heartbeat(session, first) is False
        assert heartbeat(session, second) is True


def test_a_call_that_kills_every_worker_is_given_up_with_a_reason(sessions, settings, samples):
    call_id = ingest_recording(sessions, settings, samples / "cen028.mp3", CallMetadata()).call_id
    _make_stale(sessions, call_id, attempts=settings.max_attempts)
    with sessions.begin() as session:
        assert give_up_on_stale(session, 60, settings.max_attempts) == 1
        assert claim_next(session, stale_after_s=60) is None
    with sessions() as session:
        call = session.get(Call, call_id)
        assert call.status == CallStatus.FAILED and "gave up after 3 attempts" in call.error
        assert call.error_msgid.startswith("gave up after %(attempts)s attempts")
        assert call.error_params == {"attempts": 3}


def test_a_call_left_transcribed_by_a_dead_worker_is_scored_from_its_stored_transcript(
        sessions, settings, samples, transcriber):
    """The worker died after storing the transcript, before scoring: the next worker scores
    what is stored (its model is never asked for) once the heartbeat is stale, not before."""
    from recoverytools import left_transcribed, never_transcribe, stored

    call_id = ingest_recording(sessions, settings, samples / "cen025.flac",
                               CallMetadata(language="en")).call_id
    Worker(sessions, settings, lambda: transcriber).run()
    before = stored(sessions, call_id)
    assert before[3] is not None  # scored
    left_transcribed(sessions, call_id, silent_for_s=5)
    patient = replace(settings, stale_claim_s=60)
    assert Worker(sessions, patient, never_transcribe).run() == []  # its worker may be alive
    impatient = replace(settings, stale_claim_s=2)
    outcomes = Worker(sessions, impatient, never_transcribe).run()
    assert [(o.call_id, o.status) for o in outcomes] == [(call_id, CallStatus.DONE)]
    assert outcomes[0].audio_s > 0
    assert stored(sessions, call_id) == before  # same transcript rows, same score
    with sessions() as session:
        call = session.get(Call, call_id)
        assert (call.attempts, call.claim_token, call.error) == (2, None, None)


def test_a_transcribed_call_handed_back_by_a_stopping_worker_is_scored_next(
        sessions, settings, samples, transcriber):
    from recoverytools import left_transcribed, never_transcribe, stored

    from callqa.services.claims import release

    call_id = ingest_recording(sessions, settings, samples / "cen025.flac",
                               CallMetadata(language="en")).call_id
    Worker(sessions, settings, lambda: transcriber).run()
    before = stored(sessions, call_id)
    left_transcribed(sessions, call_id, silent_for_s=0)
    with sessions.begin() as session:  # as the stopping worker does with its claim
        claim = claim_next(session, stale_after_s=-1)  # taken over at once
    assert claim is not None and claim.transcribed
    with sessions.begin() as session:
        release(session, claim)
    assert _status(sessions, call_id) == CallStatus.TRANSCRIBED  # not queued: kept transcribed
    outcomes = Worker(sessions, settings, never_transcribe).run()
    assert [(o.call_id, o.status) for o in outcomes] == [(call_id, CallStatus.DONE)]
    assert stored(sessions, call_id) == before

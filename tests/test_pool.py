"""Several worker processes on one queue: each call processed once, outcomes gathered."""
from sqlalchemy import select

from callqa.models import Call, CallStatus
from callqa.qa.metadata import CallMetadata
from callqa.services.ingest import ingest_recording
from callqa.services.pool import _shares, default_workers, run_pool
from callqa.services.worker import Worker


def test_a_limit_is_shared_out_among_the_workers():
    assert _shares(5, 2) == [3, 2] and _shares(None, 3) == [None, None, None]
    assert default_workers() >= 1


def test_two_worker_processes_take_each_call_once(sessions, settings, corpus):
    """Short to hear (no speech: the model loads, the VAD finds nothing); a call with speech
    goes through the pool in test_cli's `callqa process`, which runs a worker per core."""
    for name in ("silence_60s.wav", "noise_only_30s.wav"):
        ingest_recording(sessions, settings, corpus / "bad" / name, CallMetadata(language="en"))
    backlog = Worker(sessions, settings, lambda: None).backlog  # type: ignore[arg-type,return-value]
    outcomes = run_pool(settings, 2, backlog)
    assert len(outcomes) == len({o.call_id for o in outcomes}) == 2
    with sessions() as session:
        calls = list(session.scalars(select(Call)))
        assert {c.status for c in calls} == {CallStatus.NO_SPEECH}
        assert len(calls) == len(outcomes)

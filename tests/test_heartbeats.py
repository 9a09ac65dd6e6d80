"""A worker's heartbeat comes from a timer while its call is in work, not from Whisper's
segments: a live worker on a long stretch without speech was declared dead, its call taken
over twice and failed with a false reason."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update

from callqa.models import Call, CallStatus, utcnow
from callqa.qa.metadata import CallMetadata
from callqa.services.claims import claim_next
from callqa.services.heartbeats import HeartbeatTimer
from callqa.services.ingest import ingest_recording
from callqa.services.worker import Worker

BEAT_S = 0.25


def _staleness_while_in_work(sessions, call_id: int, stop: threading.Event) -> list[float]:
    """How old the call's heartbeat was, as a rival worker would see it, at each look while
    the call was transcribing."""
    seen = []
    while not stop.is_set():
        with sessions() as session:
            call = session.get(Call, call_id)
            if call.status == CallStatus.TRANSCRIBING and call.heartbeat_at is not None:
                seen.append((utcnow() - call.heartbeat_at).total_seconds())
        time.sleep(0.05)
    return seen


def test_the_heartbeat_stays_fresh_through_the_whole_call(sessions, settings, samples,
                                                          transcriber):
    """Through decoding, stretches without a segment, the second look and scoring: never
    older than a few beats (with segment-driven beats it was the whole time to the first
    segment, and the second look after the last)."""
    call_id = ingest_recording(sessions, settings, samples / "cen028.mp3",
                               CallMetadata(language="en")).call_id
    worker = Worker(sessions, replace(settings, heartbeat_s=BEAT_S), lambda: transcriber)
    stop, staleness = threading.Event(), []
    watcher = threading.Thread(
        target=lambda: staleness.extend(_staleness_while_in_work(sessions, call_id, stop)))
    watcher.start()
    started = time.monotonic()
    try:
        outcome = worker.process_next()
    finally:
        stop.set()
        watcher.join()
    assert outcome.status == CallStatus.DONE
    assert time.monotonic() - started > 6 * BEAT_S  # long enough to tell
    assert len(staleness) > 5
    assert max(staleness) < 1.5, max(staleness)


def test_the_timer_notices_a_take_over_and_stops(sessions, settings, samples):
    call_id = ingest_recording(sessions, settings, samples / "cpl004.flac",
                               CallMetadata(language="pl")).call_id
    with sessions.begin() as session:
        mine = claim_next(session, settings.stale_claim_s)
    with HeartbeatTimer(sessions, mine, 0.1) as beat:
        time.sleep(0.35)
        assert not beat.lost
        with sessions.begin() as session:  # presumed dead: another worker takes the call
            session.execute(update(Call).where(Call.id == call_id).values(
                heartbeat_at=utcnow() - timedelta(hours=1)))
        with sessions.begin() as session:
            theirs = claim_next(session, settings.stale_claim_s)
        assert theirs.call_id == call_id and theirs.token != mine.token
        deadline = time.monotonic() + 5
        while not beat.lost and time.monotonic() < deadline:
            time.sleep(0.05)
        assert beat.lost
    with sessions() as session:
        assert session.get(Call, call_id).claim_token == theirs.token

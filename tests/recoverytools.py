"""A call as a worker that died between storing its transcript and scoring it leaves it, and
what processing stored for a call, to compare before and after its recovery."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from callqa.models import Call, CallStatus, utcnow


def left_transcribed(sessions, call_id: int, task: str | None = None,
                     silent_for_s: float = 3600.0) -> None:
    """A processed call put back where a worker dying after `_store` leaves it: transcribed,
    its transcript stored, no score, the claim still on it and its heartbeat stopped
    `silent_for_s` ago (its task, if it had one, sent before that)."""
    with sessions.begin() as session:
        call = session.get(Call, call_id)
        assert call is not None and call.status == CallStatus.DONE and call.utterances
        call.score = None
        session.flush()
        last_beat = utcnow() - timedelta(seconds=silent_for_s)
        sent = None if call.enqueued_at is None else last_beat - timedelta(minutes=1)
        session.execute(update(Call).where(Call.id == call_id).values(
            status=CallStatus.TRANSCRIBED, claim_token="dead-worker-claim", claim_task=task,
            heartbeat_at=last_beat, enqueued_at=sent))


def stored(sessions, call_id: int) -> tuple:
    """Transcription time, utterance rows (ids and texts), score and checklist verdicts."""
    with sessions() as session:
        call = session.get(Call, call_id)
        assert call is not None
        return (
            call.transcribed_at, call.engine,
            tuple((u.id, u.position, u.text) for u in call.utterances),
            call.score.score if call.score else None,
            tuple(sorted((i.item_id, i.verdict) for i in call.score.items)) if call.score else (),
        )


def never_transcribe():
    """A worker's model loader for calls that must not be transcribed again."""
    raise AssertionError("the recording was transcribed again")

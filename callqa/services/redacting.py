"""Redaction in the processing path: a transcript's personal data replaced before it is stored,
the recording silenced where the policy says so, and a record of each redacted stretch."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callqa.models import Call, CallStatus, Redaction, RedactionMethod
from callqa.models.rows import utterance_row
from callqa.qa.redaction.audio import AudioSpan, silence_recording
from callqa.qa.redaction.redact import Redacted, RedactionPolicy, Span, redact_transcript
from callqa.qa.transcript import Speaker, Transcript
from callqa.services.score_store import rules_for, score_call, transcript_of
from callqa.settings import Settings

__all__ = [
    "StoredRedaction", "apply_redaction", "redact_for_storage", "redact_stored", "redaction_rows",
    "silence_spans",
]


def redact_for_storage(transcript: Transcript, policy: RedactionPolicy) -> Redacted:
    return redact_transcript(transcript, policy)


def silence_spans(recording: Path | None, spans: Iterable[Span]) -> bool:
    """Silence the spans the policy redacts in audio; whether the recording was changed."""
    audio = [AudioSpan(None if s.speaker == Speaker.UNKNOWN else s.channel, s.start, s.end)
             for s in spans if s.audio]
    if recording is None or not audio:
        return False
    silence_recording(recording, audio)
    return True


def redaction_rows(spans: Iterable[Span], silenced: bool) -> list[Redaction]:
    return [Redaction(entity=s.entity, speaker=str(s.speaker), channel=s.channel,
                      start_s=s.start, end_s=s.end,
                      method=RedactionMethod.SILENCE if silenced and s.audio
                      else RedactionMethod.TEXT)
            for s in spans]


def apply_redaction(call: Call, spans: Iterable[Span], silenced: bool) -> None:
    """Record `spans` on `call`. Stretches silenced before are kept: the recording no longer
    holds what a second pass over it could find there."""
    kept = [r for r in call.redactions if r.method == RedactionMethod.SILENCE]
    call.redactions = kept + redaction_rows(spans, silenced)


@dataclass(frozen=True)
class StoredRedaction:
    """What applying the policy to stored calls did."""

    calls: int  # looked at
    changed: int  # calls with something newly redacted
    spans: int  # stretches newly redacted in their transcripts
    silenced: int  # stretches newly silenced in their recordings

    def __str__(self) -> str:
        return (f"{self.calls} calls looked at, {self.changed} changed: {self.spans} stretches "
                f"redacted in transcripts, {self.silenced} silenced in recordings")


def redact_stored(sessions: sessionmaker[Session], settings: Settings) -> StoredRedaction:
    """Apply the configured policy to every stored call, each its own unit of work, and score
    changed calls again (their evidence quoted the words now redacted). What an earlier,
    wider policy redacted stays redacted: the clear text is gone."""
    with sessions() as session:
        ids = session.scalars(select(Call.id).where(
            Call.status.in_(_STORED), Call.claim_token.is_(None)).order_by(Call.id)).all()
    changed = spans = silenced = 0
    for call_id in ids:
        with sessions.begin() as session:
            call = session.get(Call, call_id)
            if call is None or call.claim_token is not None:
                continue  # erased meanwhile, or a worker took it again
            new, audio = _redact_call(session, settings, call)
        changed += bool(new or audio)
        spans += new
        silenced += audio
    return StoredRedaction(len(ids), changed, spans, silenced)


_STORED = (CallStatus.DONE, CallStatus.TRANSCRIBED, CallStatus.NO_SPEECH)


def _redact_call(session: Session, settings: Settings, call: Call) -> tuple[int, int]:
    policy = settings.redact
    redacted = redact_for_storage(transcript_of(call), policy)
    pending = [r for r in call.redactions
               if r.method == RedactionMethod.TEXT and r.entity in policy.audio]
    if not redacted.spans and not pending:
        return 0, 0
    earlier = [Span(r.entity, Speaker(r.speaker), r.channel, r.start_s, r.end_s, True)
               for r in pending]
    audio = [s for s in (*redacted.spans, *earlier) if s.audio]
    path = settings.recordings_dir / call.storage_name if call.storage_name else None
    silenced = silence_spans(path if path is not None and path.is_file() else None, audio)
    if redacted.spans:
        call.utterances = [utterance_row(i, u)
                           for i, u in enumerate(redacted.transcript.utterances)]
    for row in pending:
        row.method = RedactionMethod.SILENCE if silenced else row.method
    call.redactions = list(call.redactions) + redaction_rows(redacted.spans, silenced)
    session.flush()
    if call.status == CallStatus.DONE:
        score_call(session, call, rules_for(settings))
    return len(redacted.spans), len(audio) if silenced else 0

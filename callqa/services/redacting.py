"""Redaction in the processing path: a transcript's personal data replaced before it is stored,
the recording silenced where the policy says so, and a record of each redacted stretch."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from callqa.models import Call, Redaction, RedactionMethod
from callqa.qa.redaction.audio import AudioSpan, silence_recording
from callqa.qa.redaction.redact import Redacted, RedactionPolicy, Span, redact_transcript
from callqa.qa.transcript import Speaker, Transcript

__all__ = ["apply_redaction", "redact_for_storage", "redaction_rows", "silence_spans"]


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

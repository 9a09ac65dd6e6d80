"""The transcript of one call: a speaker-labelled timeline of utterances.

These dataclasses are the contract between transcription, storage, scoring and FCR.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Speaker(StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"
    UNKNOWN = "unknown"  # mono recordings: both parties on one track


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True)
class Utterance:
    speaker: Speaker
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    channel: int | None = None
    avg_logprob: float | None = None
    no_speech_prob: float | None = None


@dataclass(frozen=True)
class Unheard:
    """Speech the voice detector found on a party's track that gave the recognizer no words,
    or noise loud enough there to hide speech from both."""

    speaker: Speaker
    channel: int | None
    start: float
    end: float
    # Not speech the detector found but line noise as loud as the party's own speech, where
    # it found none: words may be hidden under it.
    drowned: bool = False


@dataclass
class Transcript:
    language: str
    duration: float
    utterances: list[Utterance] = field(default_factory=list)
    speakers_known: bool = True  # False for mono: every speaker is UNKNOWN
    # Where it was looked for (the windows heard a second time): speech without words.
    unheard: tuple[Unheard, ...] = ()

    def by_speaker(self, speaker: Speaker) -> list[Utterance]:
        return [u for u in self.utterances if u.speaker == speaker]

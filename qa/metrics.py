"""Call metrics from the utterance timeline: dead air, hold, talk ratio, overtalk, agent pace.

Mono calls do not know who spoke, so the per-speaker metrics are None for them; dead air is
measured all the same.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from callqa.qa.transcript import Speaker, Transcript, Utterance

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class MetricsOptions:
    dead_air_seconds: float = 10.0  # a silence at least this long (nobody speaking) is dead air
    overtalk_min_seconds: float = 0.3  # shorter overlaps are timing noise or backchannel


@dataclass(frozen=True)
class Span:
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return round(self.end - self.start, 2)

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "seconds": self.seconds}


@dataclass(frozen=True)
class Silence(Span):
    before: str = ""  # who spoke last before the silence
    after: str = ""  # who spoke first after it

    @property
    def hold(self) -> bool:
        """The agent spoke on both sides: the customer was put on hold, not left in dead air."""
        return self.before == Speaker.AGENT and self.after == Speaker.AGENT

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "before": self.before, "after": self.after, "hold": self.hold}


@dataclass(frozen=True)
class CallMetrics:
    duration: float
    speakers_known: bool
    speech_seconds: float
    dead_air: tuple[Silence, ...]  # silences of at least options.dead_air_seconds
    longest_silence: float
    agent_talk_seconds: float | None
    customer_talk_seconds: float | None
    talk_ratio: float | None  # agent talk time / customer talk time
    overtalk: tuple[Span, ...]  # both parties speaking at once
    overtalk_seconds: float | None
    agent_words: int | None
    agent_words_per_minute: float | None
    options: MetricsOptions = field(default_factory=MetricsOptions)

    @property
    def dead_air_seconds(self) -> float:
        return round(sum(silence.seconds for silence in self.dead_air), 2)

    @property
    def holds(self) -> tuple[Silence, ...]:
        return tuple(silence for silence in self.dead_air if silence.hold)

    def to_dict(self) -> dict[str, Any]:
        return {
            "duration": self.duration,
            "speakers_known": self.speakers_known,
            "speech_seconds": self.speech_seconds,
            "dead_air": [silence.to_dict() for silence in self.dead_air],
            "dead_air_seconds": self.dead_air_seconds,
            "longest_silence": self.longest_silence,
            "holds": [silence.to_dict() for silence in self.holds],
            "agent_talk_seconds": self.agent_talk_seconds,
            "customer_talk_seconds": self.customer_talk_seconds,
            "talk_ratio": self.talk_ratio,
            "overtalk": [span.to_dict() for span in self.overtalk],
            "overtalk_seconds": self.overtalk_seconds,
            "agent_words": self.agent_words,
            "agent_words_per_minute": self.agent_words_per_minute,
            "options": asdict(self.options),
        }


def call_metrics(transcript: Transcript, options: MetricsOptions | None = None) -> CallMetrics:
    options = options or MetricsOptions()
    utterances = sorted(transcript.utterances, key=lambda u: (u.start, u.end))
    speech = merge_spans(Span(u.start, u.end) for u in utterances)
    silences = _silences(utterances)
    dead_air = tuple(s for s in silences if s.seconds >= options.dead_air_seconds)
    known = transcript.speakers_known
    agent = transcript.by_speaker(Speaker.AGENT) if known else []
    customer = transcript.by_speaker(Speaker.CUSTOMER) if known else []
    agent_seconds = _talk_seconds(agent) if known else None
    customer_seconds = _talk_seconds(customer) if known else None
    overtalk = _overtalk(agent, customer, options.overtalk_min_seconds) if known else ()
    agent_words = sum(_word_count(u) for u in agent) if known else None
    return CallMetrics(
        duration=max(transcript.duration, speech[-1].end if speech else 0.0),
        speakers_known=known,
        speech_seconds=round(sum(span.end - span.start for span in speech), 2),
        dead_air=dead_air,
        longest_silence=max((s.seconds for s in silences), default=0.0),
        agent_talk_seconds=agent_seconds,
        customer_talk_seconds=customer_seconds,
        talk_ratio=_ratio(agent_seconds, customer_seconds),
        overtalk=overtalk,
        overtalk_seconds=round(float(sum(s.seconds for s in overtalk)), 2) if known else None,
        agent_words=agent_words,
        agent_words_per_minute=_per_minute(agent_words, agent_seconds),
        options=options,
    )


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans joined, in time order."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return merged


def _silences(utterances: list[Utterance]) -> list[Silence]:
    """Every stretch between the first and last speech where nobody speaks."""
    silences = []
    speaking_until, last_speaker = None, ""
    for utterance in utterances:
        if speaking_until is not None and utterance.start > speaking_until:
            silences.append(
                Silence(
                    round(speaking_until, 2),
                    round(utterance.start, 2),
                    before=str(last_speaker),
                    after=str(utterance.speaker),
                )
            )
        if speaking_until is None or utterance.end >= speaking_until:
            speaking_until, last_speaker = utterance.end, utterance.speaker
    return silences


def _spans(utterances: list[Utterance]) -> list[Span]:
    return merge_spans(Span(u.start, u.end) for u in utterances)


def _talk_seconds(utterances: list[Utterance]) -> float:
    return round(sum(span.end - span.start for span in _spans(utterances)), 2)


def _overtalk(
    agent: list[Utterance], customer: list[Utterance], minimum: float
) -> tuple[Span, ...]:
    agent_spans, customer_spans = _spans(agent), _spans(customer)
    overlaps, i, j = [], 0, 0
    while i < len(agent_spans) and j < len(customer_spans):
        a, c = agent_spans[i], customer_spans[j]
        start, end = max(a.start, c.start), min(a.end, c.end)
        if end - start >= minimum and end > start:
            overlaps.append(Span(round(start, 2), round(end, 2)))
        if a.end <= c.end:
            i += 1
        else:
            j += 1
    return tuple(overlaps)


def _word_count(utterance: Utterance) -> int:
    return len(utterance.words) if utterance.words else len(_WORD.findall(utterance.text))


def _ratio(agent_seconds: float | None, customer_seconds: float | None) -> float | None:
    if agent_seconds is None or not customer_seconds:
        return None
    return round(agent_seconds / customer_seconds, 2)


def _per_minute(words: int | None, seconds: float | None) -> float | None:
    if words is None or not seconds:
        return None
    return round(words / (seconds / 60), 1)

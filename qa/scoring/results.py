"""Scorecard results with their evidence; `to_dict()` gives the JSON stored with each call."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"
    # The machine cannot decide (mono: who said it? the words not heard clearly, a near miss);
    # a person should. The score leaves it out until someone does.
    REVIEW = "review"


@dataclass(frozen=True)
class Evidence:
    """One place in the call that bears on a verdict."""

    utterance_index: int
    speaker: str
    start: float
    end: float
    utterance: str  # the whole utterance as transcribed
    matched: str  # the words that matched, as transcribed
    phrase: str  # the scorecard phrase they matched
    method: str  # exact | lemma | fuzzy
    confidence: float  # exact 1, lemma 0.95, fuzzy similarity/100; x the words' ASR probability
    similarity: float | None = None  # fuzzy only, 0-100
    counted: bool = True  # False: shown for context only (e.g. the customer said it)
    # A code a UI can translate: speaker_unknown, other_speaker, outside_window, excluded,
    # fuzzy_only, word_boundaries, near_miss, unsure.
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LookedIn:
    """Where an item looked: whose words, which seconds, which utterances."""

    speaker: str
    start: float
    end: float
    utterances: str  # e.g. "first 2", "last 3", "all"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ItemResult:
    item_id: str
    label: dict[str, str]  # {"pl": ..., "en": ...}
    verdict: Verdict
    explanation: dict[str, str]  # why, in both languages: what was found, or where it looked
    looked_in: LookedIn | None
    evidence: tuple[Evidence, ...] = ()
    weight: float = 1.0
    critical: bool = False
    # How clearly the recognizer heard the item's window: the mean word probability of its
    # least clearly heard utterance (None: no words with probabilities, e.g. a transcript made
    # by people).
    hearing: float | None = None

    @property
    def method(self) -> str | None:
        counted = [e for e in self.evidence if e.counted]
        return counted[0].method if counted else None

    @property
    def confidence(self) -> float | None:
        counted = [e for e in self.evidence if e.counted]
        return counted[0].confidence if counted else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item_id,
            "label": dict(self.label),
            "verdict": str(self.verdict),
            "method": self.method,
            "confidence": self.confidence,
            "weight": self.weight,
            "critical": self.critical,
            "explanation": dict(self.explanation),
            "looked_in": self.looked_in.to_dict() if self.looked_in else None,
            "evidence": [evidence.to_dict() for evidence in self.evidence],
            "hearing": self.hearing,
        }


@dataclass(frozen=True)
class ScorecardResult:
    scorecard_id: str
    scorecard_version: str
    language: str
    speakers_known: bool
    score: float | None  # 0-100; None when no item applies
    passed_weight: float
    applicable_weight: float
    critical_failed: tuple[str, ...]  # ids of failed critical items: the call is flagged
    capped: bool  # the score was lowered to the scorecard's critical cap
    items: tuple[ItemResult, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.critical_failed)

    @property
    def needs_review(self) -> tuple[str, ...]:
        return tuple(item.item_id for item in self.items if item.verdict is Verdict.REVIEW)

    def item(self, item_id: str) -> ItemResult:
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise KeyError(item_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scorecard": {"id": self.scorecard_id, "version": self.scorecard_version},
            "language": self.language,
            "speakers_known": self.speakers_known,
            "score": self.score,
            "passed_weight": self.passed_weight,
            "applicable_weight": self.applicable_weight,
            "flagged": self.flagged,
            "critical_failed": list(self.critical_failed),
            "capped": self.capped,
            "needs_review": list(self.needs_review),
            "items": [item.to_dict() for item in self.items],
        }

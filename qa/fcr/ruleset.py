"""FCR rules from YAML, and what a transcript says about resolution: signals and topics.

Signals and topics are written in the scorecard format and checked by the same matcher as
the courtesy checklist, so they survive speech recognition the same way and carry the same
evidence.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from callqa.qa.fcr.contacts import FcrPolicy, FcrReason, ReasonKind
from callqa.qa.scoring import Scorecard, ScorecardError, Verdict, parse_scorecard, score_transcript
from callqa.qa.scoring.results import ItemResult
from callqa.qa.transcript import Transcript

DEFAULT_RULES = "default.yaml"
FAILING_SIGNALS = {
    "transfer": ReasonKind.TRANSFER,
    "callback": ReasonKind.CALLBACK,
    "unable_to_help": ReasonKind.UNABLE_TO_HELP,
}
_DETAILS = {
    ReasonKind.TRANSFER: "transferred",
    ReasonKind.CALLBACK: "callback promised",
    ReasonKind.UNABLE_TO_HELP: "the agent was unable to help",
}


class FcrRulesError(ValueError):
    """An FCR rules file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class FcrRules:
    policy: FcrPolicy
    signals: Scorecard
    topics: Scorecard | None
    version: str


@dataclass(frozen=True)
class Signal:
    """A signal found in the call, with where it was said."""

    id: str
    label: dict[str, str]
    evidence: tuple[dict[str, Any], ...]
    certain: bool  # False: found on a mono call, so who said it is unknown

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "certain": self.certain,
                "evidence": list(self.evidence)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Signal:
        return cls(data["id"], dict(data.get("label", {})), tuple(data.get("evidence", ())),
                   bool(data.get("certain", True)))


@dataclass(frozen=True)
class CallSignals:
    signals: tuple[Signal, ...]
    topics: frozenset[str]

    def has(self, signal_id: str) -> bool:
        return any(s.id == signal_id for s in self.signals)

    def in_call_reasons(self) -> tuple[FcrReason, ...]:
        reasons = []
        for signal in self.signals:
            kind = FAILING_SIGNALS.get(signal.id)
            if kind is not None:
                evidence = signal.evidence[0] if signal.evidence else None
                reasons.append(FcrReason(kind, _DETAILS[kind], evidence=evidence))
        return tuple(reasons)

    def resolution(self) -> str:
        """What happened in the call itself: transfer, callback, unresolved or resolved."""
        for signal_id, name in (("transfer", "transfer"), ("callback", "callback"),
                                ("unable_to_help", "unresolved")):
            if self.has(signal_id):
                return name
        return "resolved"


def parse_fcr_rules(text: str, source: str) -> FcrRules:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise FcrRulesError(f"{source}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or "signals" not in data:
        raise FcrRulesError(f"{source}: expected a mapping with 'signals' (and 'topics')")
    policy = FcrPolicy(window_days=_positive(data, "window_days", 7.0, source),
                       any_topic=bool(data.get("any_topic", False)))
    signals = _section(data["signals"], f"{source} (signals)")
    topics = _section(data["topics"], f"{source} (topics)") if data.get("topics") else None
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return FcrRules(policy, signals, topics, version)


def load_fcr_rules(path: Path) -> FcrRules:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FcrRulesError(f"{path}: cannot read the file: {exc}") from exc
    return parse_fcr_rules(text, str(path))


@lru_cache(maxsize=1)
def default_fcr_rules() -> FcrRules:
    text = resources.files("callqa.qa.fcr").joinpath(DEFAULT_RULES).read_text(encoding="utf-8")
    return parse_fcr_rules(text, f"qa/fcr/{DEFAULT_RULES}")


def detect_signals(transcript: Transcript, rules: FcrRules) -> CallSignals:
    found = score_transcript(transcript, rules.signals).items
    topics = score_transcript(transcript, rules.topics).items if rules.topics else ()
    return CallSignals(
        signals=tuple(_signal(item) for item in found if _said(item)),
        topics=frozenset(item.item_id for item in topics if _said(item)),
    )


def _said(item: ItemResult) -> bool:
    """Passed, or found on a mono call where who said it is unknown."""
    return item.verdict is Verdict.PASSED or (
        item.verdict is Verdict.REVIEW and any(e.counted for e in item.evidence))


def _signal(item: ItemResult) -> Signal:
    return Signal(
        id=item.item_id, label=dict(item.label),
        evidence=tuple(e.to_dict() for e in item.evidence if e.counted),
        certain=item.verdict is Verdict.PASSED,
    )


def _section(data: Any, source: str) -> Scorecard:
    try:
        return parse_scorecard(yaml.safe_dump(data, allow_unicode=True), source=source)
    except ScorecardError as exc:
        raise FcrRulesError(str(exc)) from exc


def _positive(data: dict[str, Any], key: str, default: float, source: str) -> float:
    value = data.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise FcrRulesError(f"{source}: field '{key}': must be a positive number, got {value!r}")
    return float(value)

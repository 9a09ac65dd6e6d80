"""Checklist accuracy against a manifest's ground truth (`expect`): the data behind `callqa eval`.

Every prediction is compared with the manifest's `expect` value of the same name. Checklist items
predict True (passed) or False (failed); an undecided verdict ("review", "not_applicable")
never equals the truth and counts as a miss. `hold` is predicted from the dead-air metric. More
predictions (e.g. `fcr`) plug in as predictors: functions of (entry, result, metrics).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from callqa.qa.metrics import CallMetrics, MetricsOptions, call_metrics
from callqa.qa.reference import agent_name, transcript_from_manifest_entry
from callqa.qa.scoring import ScorecardResult, ScoringContext, Verdict, score_transcript
from callqa.qa.scoring.scorecard import Scorecard

Entry = dict[str, Any]


@dataclass(frozen=True)
class Prediction:
    value: object  # compared with expect[item]
    explanation: str = ""
    evidence: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class CallOutcome:
    """One call's predictions beside its ground truth."""

    call_id: str
    language: str
    expect: Mapping[str, object]
    predictions: Mapping[str, Prediction] = field(default_factory=dict)


ScoredCall = tuple[Entry, ScorecardResult, CallMetrics]
Predictor = Callable[[Entry, ScorecardResult, CallMetrics], Prediction | None]


def item_prediction(result: ScorecardResult, item_id: str) -> Prediction:
    item = result.item(item_id)
    decided = {Verdict.PASSED: True, Verdict.FAILED: False}
    value: object = decided.get(item.verdict, str(item.verdict))
    return Prediction(
        value=value,
        explanation=item.explanation.get("en", ""),
        evidence=tuple(evidence.to_dict() for evidence in item.evidence),
    )


def hold_prediction(metrics: CallMetrics) -> Prediction:
    threshold = metrics.options.dead_air_seconds
    if not metrics.dead_air:
        return Prediction(False, f"no silence of {threshold:g} s or more "
                                 f"(longest {metrics.longest_silence:g} s)")
    spans = ", ".join(f"{s.start:g}–{s.end:g} s ({s.seconds:g} s)" for s in metrics.dead_air)
    return Prediction(
        True,
        f"dead air: {spans}",
        tuple(silence.to_dict() for silence in metrics.dead_air),
    )


def predictions_for(
    entry: Entry,
    result: ScorecardResult,
    metrics: CallMetrics,
    predictors: Mapping[str, Predictor] | None = None,
) -> dict[str, Prediction]:
    """Every scorecard item, `hold`, and whatever the extra predictors add (they win on a clash)."""
    predictions = {item.item_id: item_prediction(result, item.item_id) for item in result.items}
    predictions["hold"] = hold_prediction(metrics)
    for name, predictor in (predictors or {}).items():
        prediction = predictor(entry, result, metrics)
        if prediction is not None:
            predictions[name] = prediction
    return predictions


def evaluate(
    calls: Iterable[ScoredCall], predictors: Mapping[str, Predictor] | None = None
) -> dict:
    """The eval report for scored calls (see `compare` for its shape)."""
    outcomes = [
        CallOutcome(
            call_id=str(entry.get("id", "?")),
            language=str(entry.get("language", "?")),
            expect=entry.get("expect") or {},
            predictions=predictions_for(entry, result, metrics, predictors),
        )
        for entry, result, metrics in calls
    ]
    return compare(outcomes)


def compare(outcomes: Iterable[CallOutcome]) -> dict:
    """{"items": {ITEM: {"n", "accuracy", "precision", "recall", "by_language": {LANG: {...}}}},
    "misses": [{"call_id", "language", "item", "expected", "got", "explanation", "evidence"}]}

    Only items both predicted and expected are compared; precision and recall treat True as
    positive and are None when undefined (no positives) or the truth is not a yes/no.
    """
    pairs: dict[str, list[tuple[str, object, object]]] = {}
    misses = []
    for outcome in outcomes:
        for item, prediction in outcome.predictions.items():
            if item not in outcome.expect:
                continue
            expected = outcome.expect[item]
            pairs.setdefault(item, []).append((outcome.language, expected, prediction.value))
            if not _same(expected, prediction.value):
                misses.append({
                    "call_id": outcome.call_id,
                    "language": outcome.language,
                    "item": item,
                    "expected": expected,
                    "got": prediction.value,
                    "explanation": prediction.explanation,
                    "evidence": list(prediction.evidence),
                })
    items = {}
    for item, compared in pairs.items():
        languages = sorted({language for language, _, _ in compared})
        items[item] = {
            **_measures([(e, g) for _, e, g in compared]),
            "by_language": {
                language: _measures([(e, g) for lang, e, g in compared if lang == language])
                for language in languages
            },
        }
    return {"items": items, "misses": misses}


def _same(expected: object, got: object) -> bool:
    return type(expected) is type(got) and expected == got


def _measures(compared: list[tuple[object, object]]) -> dict[str, Any]:
    n = len(compared)
    correct = sum(_same(expected, got) for expected, got in compared)
    measures: dict[str, Any] = {
        "n": n,
        "accuracy": _fraction(correct, n),
        "precision": None,
        "recall": None,
    }
    if all(isinstance(expected, bool) for expected, _ in compared):
        true_positive = sum(expected is True and got is True for expected, got in compared)
        predicted = sum(got is True for _, got in compared)
        actual = sum(expected is True for expected, _ in compared)
        measures["precision"] = _fraction(true_positive, predicted)
        measures["recall"] = _fraction(true_positive, actual)
    return measures


def _fraction(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- reference transcripts ----------------------------------------------------------------------


def score_call(
    entry: Entry,
    transcript: Any,
    scorecard: Scorecard | None = None,
    options: MetricsOptions | None = None,
) -> ScoredCall:
    """One manifest call scored from a transcript (the reference, or the recognizer's)."""
    result = score_transcript(transcript, scorecard, ScoringContext(agent_name=agent_name(entry)))
    return entry, result, call_metrics(transcript, options)


def score_references(
    entries: Iterable[Entry],
    scorecard: Scorecard | None = None,
    options: MetricsOptions | None = None,
) -> list[ScoredCall]:
    """Every manifest call scored from its reference transcript (`timing`)."""
    return [
        score_call(entry, transcript_from_manifest_entry(entry), scorecard, options)
        for entry in entries
    ]


# --- text report --------------------------------------------------------------------------------


def format_report(report: dict) -> str:
    """The eval report as plain text: a table per item and language, then every miss."""
    items = report["items"]
    languages = sorted({lang for item in items.values() for lang in item["by_language"]})
    header = f"{'item':<30}{'lang':<6}{'n':>5}{'accuracy':>10}{'precision':>11}{'recall':>8}"
    lines = [header, "-" * len(header)]
    for name, measures in items.items():
        lines.append(_row(name, "all", measures))
        for language in languages:
            if language in measures["by_language"]:
                lines.append(_row("", language, measures["by_language"][language]))
    misses = report["misses"]
    lines += ["", f"misses: {len(misses)}"]
    for miss in misses:
        lines.append(
            f"  {miss['call_id']} [{miss['language']}] {miss['item']}: expected "
            f"{_shown(miss['expected'])}, got {_shown(miss['got'])} — {miss['explanation']}"
        )
        for evidence in miss["evidence"]:
            lines.append(f"      {_evidence_line(evidence)}")
    return "\n".join(lines)


def _row(name: str, language: str, measures: dict[str, Any]) -> str:
    return (
        f"{name:<30}{language:<6}{measures['n']:>5}{_percent(measures['accuracy']):>10}"
        f"{_percent(measures['precision']):>11}{_percent(measures['recall']):>8}"
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _shown(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _evidence_line(evidence: dict[str, Any]) -> str:
    if "utterance" not in evidence:  # a silence
        start, end, seconds = evidence.get("start"), evidence.get("end"), evidence.get("seconds")
        return f"{start}–{end} s silence ({seconds} s)"
    method = evidence["method"]
    if evidence.get("similarity") is not None:
        method += f" {evidence['similarity']:g}%"
    status = "counted" if evidence.get("counted", True) else f"not counted: {evidence.get('note')}"
    return (
        f"{evidence['start']:g}–{evidence['end']:g} s {evidence['speaker']}: "
        f"“{evidence['matched']}” ~ “{evidence['phrase']}” ({method}, {status}) "
        f"in “{evidence['utterance']}”"
    )

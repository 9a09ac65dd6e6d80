"""Checklist and FCR accuracy against a manifest's ground truth (`expect`): `callqa eval`.

Evaluation runs production's path: recordings are decoded and transcribed as the worker does
(`services.transcribing`), transcripts are scored as stored calls are
(`score_store.assess_transcript`), and FCR contacts are built by the score store's
`fcr_contact`. Every prediction is compared with the manifest's `expect` value of the same
name. Checklist items predict True (passed) or False (failed); an undecided verdict ("review",
"not_applicable") never equals the truth and counts as a miss. `hold` is predicted from the
dead-air metric; FCR predictors add `fcr`, `resolution` and the repeat-contact rule.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from callqa.qa.fcr.contacts import Contact, FcrStatus, FcrVerdict, ReasonKind, evaluate_contacts
from callqa.qa.fcr.ruleset import CallSignals, FcrRules
from callqa.qa.metadata import ManifestEntry, MetadataError, customer_key
from callqa.qa.metrics import CallMetrics
from callqa.qa.scoring import Scorecard, ScorecardResult, Verdict
from callqa.qa.transcript import Transcript
from callqa.qa.transcription import Transcriber
from callqa.services.score_store import Assessment, Rules, assess_transcript, fcr_contact
from callqa.services.transcribing import (
    Recording,
    call_language,
    call_layout,
    transcribe_recording,
)
from callqa.settings import Settings


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


@dataclass(frozen=True)
class ScoredCall:
    """A manifest call and what the machine found in its transcript."""

    entry: ManifestEntry
    assessment: Assessment

    @property
    def checklist(self) -> ScorecardResult:
        return self.assessment.checklist

    @property
    def metrics(self) -> CallMetrics:
        return self.assessment.metrics


Predictor = Callable[[ScoredCall], Prediction | None]


# --- transcripts and scoring: the production path ------------------------------------------


def recording_of(entry: ManifestEntry, settings: Settings) -> Recording | None:
    """The manifest call as the worker would transcribe it; None without any language."""
    language = call_language(settings, entry.metadata.language)
    if not language:
        return None
    return Recording(entry.recording, language, call_layout(settings, entry.metadata.layout),
                     entry.metadata.agent_name, name=entry.call_id)


def recognized_transcript(
    entry: ManifestEntry, settings: Settings, transcriber: Transcriber, scorecard: Scorecard
) -> Transcript:
    """The recording transcribed exactly as the worker does, second look included (raises
    AudioError, or MetadataError when no language is known)."""
    recording = recording_of(entry, settings)
    if recording is None:
        raise MetadataError(f"{entry.source}: no language (set it, or CALLQA_DEFAULT_LANGUAGE)")
    return transcribe_recording(recording, settings, transcriber, scorecard)


def assess_entry(entry: ManifestEntry, transcript: Transcript, rules: Rules) -> ScoredCall:
    """One manifest call scored from a transcript (the reference, or the recognizer's)."""
    return ScoredCall(entry, assess_transcript(transcript, rules, entry.metadata.agent_name))


def assess_references(entries: Iterable[ManifestEntry], rules: Rules) -> list[ScoredCall]:
    """Every manifest call scored from its reference transcript (`timing`)."""
    return [assess_entry(entry, entry.reference_transcript(), rules) for entry in entries]


# --- predictions -----------------------------------------------------------------------------


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
    call: ScoredCall, predictors: Mapping[str, Predictor] | None = None
) -> dict[str, Prediction]:
    """Every scorecard item, `hold`, and whatever the extra predictors add (they win on a clash)."""
    predictions = {item.item_id: item_prediction(call.checklist, item.item_id)
                   for item in call.checklist.items}
    predictions["hold"] = hold_prediction(call.metrics)
    for name, predictor in (predictors or {}).items():
        prediction = predictor(call)
        if prediction is not None:
            predictions[name] = prediction
    return predictions


def fcr_predictors(
    calls: Sequence[ScoredCall], rules: FcrRules, country_code: str
) -> dict[str, Predictor]:
    """Predictors for `fcr`, `resolution`, `repeat_caller_says_so` and the repeat-contact rule
    alone (`repeat_within_7d_same_topic`, and `..._any_topic` under the any-topic policy).
    The calls are judged together, as one customer's stored calls are, once every FCR window
    has closed."""
    numbers = {call.entry.source: number for number, call in enumerate(calls)}
    contacts = [_contact(number, call, country_code) for number, call in enumerate(calls)]
    if not contacts:
        return {}
    now = max(c.started_at for c in contacts) + rules.policy.window + timedelta(days=1)
    same_topic = evaluate_contacts(contacts, rules.policy, now)
    any_topic = evaluate_contacts(contacts, replace(rules.policy, any_topic=True), now)

    def by_call(predict: Callable[[int, CallSignals], Prediction]) -> Predictor:
        return lambda call: predict(numbers[call.entry.source], call.assessment.signals)

    return {
        "fcr": by_call(lambda n, _: _fcr(same_topic[n])),
        "resolution": by_call(lambda _, signals: _resolution(signals)),
        "repeat_caller_says_so": by_call(lambda _, signals: _calling_again(signals)),
        "repeat_within_7d_same_topic": by_call(lambda n, _: _repeat(same_topic[n])),
        "repeat_within_7d_any_topic": by_call(lambda n, _: _repeat(any_topic[n])),
    }


def _contact(number: int, call: ScoredCall, country_code: str) -> Contact:
    meta = call.entry.metadata
    if meta.started_at is None:
        raise MetadataError(f"{call.entry.source}: FCR needs the call's 'started_at'")
    return fcr_contact(number, meta.started_at, customer_key(meta, country_code), meta.queue,
                       call.assessment.signals)


def _fcr(verdict: FcrVerdict) -> Prediction:
    reasons = "; ".join(r.detail for r in verdict.reasons)
    return Prediction(verdict.status == FcrStatus.FCR, reasons or str(verdict.status),
                      tuple(r.evidence for r in verdict.reasons if r.evidence))


def _repeat(verdict: FcrVerdict) -> Prediction:
    repeats = [r.detail for r in verdict.reasons if r.kind == ReasonKind.REPEAT_CONTACT]
    return Prediction(bool(repeats), "; ".join(repeats) or "no repeat contact")


def _resolution(signals: CallSignals) -> Prediction:
    found = [s for s in signals.signals if s.id != "calling_again"]
    return Prediction(signals.resolution(), ", ".join(s.id for s in found) or "no signal",
                      tuple(e for s in found for e in s.evidence))


def _calling_again(signals: CallSignals) -> Prediction:
    said = [s for s in signals.signals if s.id == "calling_again"]
    return Prediction(bool(said), "said" if said else "not said",
                      tuple(e for s in said for e in s.evidence))


# --- the report ------------------------------------------------------------------------------


def evaluate(
    calls: Iterable[ScoredCall], predictors: Mapping[str, Predictor] | None = None
) -> dict:
    """The eval report for scored calls (see `compare` for its shape)."""
    outcomes = [
        CallOutcome(
            call_id=call.entry.call_id,
            language=call.entry.metadata.language or "?",
            expect=call.entry.expect,
            predictions=predictions_for(call, predictors),
        )
        for call in calls
    ]
    return compare(outcomes)


def compare(outcomes: Iterable[CallOutcome]) -> dict:
    """{"items": {ITEM: {MEASURES, "by_language": {LANG: {MEASURES}}}},
    "misses": [{"call_id", "language", "item", "expected", "got", "explanation", "evidence"}]}

    Only items both predicted and expected are compared. MEASURES are "n" and "accuracy",
    and for yes/no truths (True: the item passed) also:
    - "decided": the share of calls given a yes or no (not "review" or "not_applicable"),
    - "precision_passed": of the calls predicted True, the share the truth says are True,
    - "precision_failed": of the calls predicted False, the share the truth says are False,
    - "precision" (= precision_passed) and "recall": of the True calls, the share predicted True.
    A share is None when nothing is counted in it, and all but n and accuracy are None when
    the truth is not a yes/no.
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


YES_NO_MEASURES = ("decided", "precision_passed", "precision_failed", "precision", "recall")


def _measures(compared: list[tuple[object, object]]) -> dict[str, Any]:
    n = len(compared)
    correct = sum(_same(expected, got) for expected, got in compared)
    measures: dict[str, Any] = {"n": n, "accuracy": _fraction(correct, n)}
    measures.update(dict.fromkeys(YES_NO_MEASURES))
    if all(isinstance(expected, bool) for expected, _ in compared):
        measures["decided"] = _fraction(sum(isinstance(got, bool) for _, got in compared), n)
        measures["precision_passed"] = _precision(compared, True)
        measures["precision_failed"] = _precision(compared, False)
        measures["precision"] = measures["precision_passed"]
        true_positive = sum(expected is True and got is True for expected, got in compared)
        measures["recall"] = _fraction(true_positive, sum(e is True for e, _ in compared))
    return measures


def _precision(compared: list[tuple[object, object]], verdict: bool) -> float | None:
    """Of the calls predicted `verdict`, the share whose truth is `verdict` too."""
    predicted = [expected for expected, got in compared if got is verdict]
    return _fraction(sum(expected is verdict for expected in predicted), len(predicted))


def _fraction(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- text report ---------------------------------------------------------------------------

_COLUMNS = (("n", 5), ("accuracy", 10), ("decided", 9), ("prec.pass", 11), ("prec.fail", 11),
            ("recall", 8))


def format_report(report: dict) -> str:
    """The eval report as plain text: a table per item and language, then every miss."""
    items = report["items"]
    languages = sorted({lang for item in items.values() for lang in item["by_language"]})
    header = f"{'item':<30}{'lang':<6}" + "".join(f"{name:>{width}}" for name, width in _COLUMNS)
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
    values = (
        str(measures["n"]), _percent(measures["accuracy"]), _percent(measures["decided"]),
        _percent(measures["precision_passed"]), _percent(measures["precision_failed"]),
        _percent(measures["recall"]),
    )
    return f"{name:<30}{language:<6}" + "".join(
        f"{value:>{width}}" for value, (_, width) in zip(values, _COLUMNS, strict=True))


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

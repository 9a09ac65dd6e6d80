"""FCR against a manifest's ground truth: predictors for `qa.evaluation.evaluate`."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from callqa.qa.fcr.contacts import Contact, FcrStatus, FcrVerdict, ReasonKind, evaluate_contacts
from callqa.qa.fcr.phone import normalize_phone
from callqa.qa.fcr.ruleset import CallSignals, FcrRules, detect_signals
from callqa.qa.transcript import Transcript
from callqa.services.evaluation import Entry, Prediction, Predictor


def fcr_predictors(
    calls: Sequence[tuple[Entry, Transcript]], rules: FcrRules, country_code: str = "48"
) -> dict[str, Predictor]:
    """Predictors for `fcr`, `resolution`, `repeat_caller_says_so` and the repeat-contact rule
    alone (`repeat_within_7d_same_topic`, and `..._any_topic` under the any-topic policy)."""
    signals = {_id(entry): detect_signals(transcript, rules) for entry, transcript in calls}
    contacts = [_contact(entry, signals[_id(entry)], country_code) for entry, _ in calls]
    now = max(c.started_at for c in contacts) + rules.policy.window + timedelta(days=1)
    same_topic = evaluate_contacts(contacts, rules.policy, now)
    any_topic = evaluate_contacts(contacts, replace(rules.policy, any_topic=True), now)
    return {
        "fcr": _by_id(lambda i: _fcr(same_topic[i])),
        "resolution": _by_id(lambda i: _resolution(signals[i])),
        "repeat_caller_says_so": _by_id(lambda i: _calling_again(signals[i])),
        "repeat_within_7d_same_topic": _by_id(lambda i: _repeat(same_topic[i])),
        "repeat_within_7d_any_topic": _by_id(lambda i: _repeat(any_topic[i])),
    }


def _id(entry: Entry) -> str:
    return str(entry["id"])


def _by_id(predict) -> Predictor:
    return lambda entry, _result, _metrics: predict(_id(entry))


def _contact(entry: Entry, signals: CallSignals, country_code: str) -> Contact:
    customer = entry.get("customer") or {}
    key = (f"id:{customer['id']}" if customer.get("id")
           else normalize_phone(customer.get("phone"), country_code))
    matters = {f"topic:{t}" for t in signals.topics}
    if entry.get("queue"):
        matters.add(f"queue:{entry['queue']}")
    return Contact(
        call_id=_id(entry),  # type: ignore[arg-type]  # manifest ids stand in for call ids
        started_at=datetime.fromisoformat(entry["started_at"]),
        customer_key=key, matters=frozenset(matters), in_call_reasons=signals.in_call_reasons(),
    )


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

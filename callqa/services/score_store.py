"""After transcription: score the checklist, measure the call, find FCR signals, and update
the FCR verdicts of the customer's calls. Runs inside the caller's transaction."""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from callqa.models import Call, CallScore, FcrResult, ItemResult, utcnow
from callqa.models.lookup import scorecard_for
from callqa.qa.fcr.contacts import Contact, FcrStatus, FcrVerdict, evaluate_contacts
from callqa.qa.fcr.ruleset import (
    CallSignals,
    FcrRules,
    Signal,
    default_fcr_rules,
    detect_signals,
    load_fcr_rules,
)
from callqa.qa.metrics import CallMetrics, MetricsOptions, call_metrics
from callqa.qa.scoring import Scorecard as ScorecardRules
from callqa.qa.scoring import (
    ScorecardResult,
    ScoringContext,
    default_scorecard,
    load_scorecard,
    score_transcript,
)
from callqa.qa.scoring.lemmas import configure_lemma_cache
from callqa.qa.transcript import Speaker, Transcript, Unheard, Utterance, Word
from callqa.services.reviewing import apply_overrides
from callqa.settings import Settings


@dataclass(frozen=True)
class Rules:
    """Everything scoring needs; loaded once per process and configuration."""

    scorecard: ScorecardRules
    fcr: FcrRules
    metrics: MetricsOptions


def configure_scoring(settings: Settings) -> None:
    """Process-wide scoring setup, once at start: the Polish lemma index is built and kept in
    the model cache directory."""
    configure_lemma_cache(settings.model_cache_dir)


def rules_for(settings: Settings, scorecard_path: Path | None = None) -> Rules:
    return _load_rules(scorecard_path or settings.scorecard, settings.fcr_rules,
                       settings.dead_air_s)


@lru_cache(maxsize=8)
def _load_rules(scorecard: Path | None, fcr: Path | None, dead_air_s: float) -> Rules:
    return Rules(
        scorecard=load_scorecard(scorecard) if scorecard else default_scorecard(),
        fcr=load_fcr_rules(fcr) if fcr else default_fcr_rules(),
        metrics=MetricsOptions(dead_air_seconds=dead_air_s),
    )


@dataclass(frozen=True)
class Assessment:
    """What the machine finds in one transcript: the checklist, the metrics, FCR signals."""

    checklist: ScorecardResult
    metrics: CallMetrics
    signals: CallSignals


def assess_transcript(transcript: Transcript, rules: Rules, agent_name: str | None) -> Assessment:
    """The one scoring of a transcript: stored calls and `callqa eval` both come here."""
    return Assessment(
        checklist=score_transcript(transcript, rules.scorecard,
                                   ScoringContext(agent_name=agent_name)),
        metrics=call_metrics(transcript, rules.metrics),
        signals=detect_signals(transcript, rules.fcr),
    )


def score_call(session: Session, call: Call, rules: Rules, now: datetime | None = None) -> None:
    """Score `call` from its stored transcript and bring its customer's FCR verdicts up to date."""
    assessment = assess_transcript(transcript_of(call), rules,
                                   call.agent.name if call.agent else None)
    _store_score(session, call, assessment.checklist, assessment.metrics, rules.scorecard)
    _store_signals(call, assessment.signals)
    session.flush()
    apply_overrides(session, call)  # people's verdict overrides outlive re-scoring
    update_fcr(session, call.customer_key, [call.id], rules.fcr, now or utcnow())


def transcript_of(call: Call) -> Transcript:
    utterances = [
        Utterance(
            speaker=Speaker(u.speaker), start=u.start_s, end=u.end_s, text=u.text,
            words=tuple(Word(w["text"], w["start"], w["end"], w.get("probability", 1.0))
                        for w in u.words or ()),
            channel=u.channel, avg_logprob=u.avg_logprob, no_speech_prob=u.no_speech_prob,
        )
        for u in call.utterances
    ]
    return Transcript(
        language=call.transcript_language or call.language or "und",
        duration=call.duration_s or max((u.end for u in utterances), default=0.0),
        utterances=utterances,
        speakers_known=call.speakers_known is not False,
        unheard=tuple(Unheard(Speaker(u["speaker"]), u.get("channel"), u["start"], u["end"],
                              bool(u.get("drowned", False)))
                      for u in call.unheard_speech or ()),
    )


def update_fcr(
    session: Session, customer_key: str | None, call_ids: list[int], rules: FcrRules,
    now: datetime,
) -> None:
    """Recompute FCR for these calls and every scored call of the same customer."""
    if customer_key and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                        {"k": zlib.crc32(customer_key.encode())})
    query = select(Call, FcrResult).join(FcrResult, FcrResult.call_id == Call.id)
    query = (query.where(Call.customer_key == customer_key) if customer_key
             else query.where(Call.id.in_(call_ids)))
    rows = session.execute(query).all()
    verdicts = evaluate_contacts((_contact(c, r) for c, r in rows), rules.policy, now)
    for call, result in rows:
        _apply(result, verdicts[call.id])


def _contact(call: Call, result: FcrResult) -> Contact:
    signals = CallSignals(tuple(Signal.from_dict(s) for s in result.signals),
                          frozenset(result.topics))
    return fcr_contact(call.id, call.started_at or call.created_at, call.customer_key,
                       call.queue.name if call.queue is not None else None, signals)


def fcr_contact(
    call_id: int, started_at: datetime, customer_key: str | None, queue: str | None,
    signals: CallSignals,
) -> Contact:
    """A call as FCR sees it: its matters are its queue and the topics detected in it."""
    matters = {f"topic:{t}" for t in signals.topics}
    if queue:
        matters.add(f"queue:{queue}")
    return Contact(
        call_id=call_id, started_at=started_at, customer_key=customer_key,
        matters=frozenset(matters), in_call_reasons=signals.in_call_reasons(),
    )


def _apply(result: FcrResult, verdict: FcrVerdict) -> None:
    result.status = verdict.status
    result.reasons = [r.to_dict() for r in verdict.reasons]
    result.repeat_of = list(verdict.repeat_of)
    result.window_ends_at = verdict.window_ends_at
    result.computed_at = utcnow()


def _store_score(
    session: Session, call: Call, result: ScorecardResult, metrics: CallMetrics,
    rules: ScorecardRules,
) -> None:
    if call.score is not None:  # replace, so re-scoring never leaves stale items behind
        session.delete(call.score)
        session.flush()
    call.score = CallScore(
        scorecard=scorecard_for(session, rules.id, rules.version, rules.text),
        score=result.score,
        passed_weight=result.passed_weight, applicable_weight=result.applicable_weight,
        flagged=result.flagged, capped=result.capped, needs_review=bool(result.needs_review),
        metrics=metrics.to_dict(), scored_at=utcnow(),
        items=[_item_row(call.id, position, item.to_dict())
               for position, item in enumerate(result.items)],
    )


def _item_row(call_id: int, position: int, item: dict) -> ItemResult:
    return ItemResult(
        call_id=call_id, position=position, item_id=item["item"], verdict=item["verdict"],
        effective_verdict=item["verdict"],
        weight=item["weight"], critical=item["critical"], method=item["method"],
        confidence=item["confidence"],
        detail={k: item[k] for k in ("label", "explanation", "looked_in", "evidence")},
    )


def _store_signals(call: Call, signals: CallSignals) -> None:
    if call.fcr is None:
        call.fcr = FcrResult(status=FcrStatus.PENDING, window_ends_at=utcnow())
    call.fcr.signals = [s.to_dict() for s in signals.signals]
    call.fcr.topics = sorted(signals.topics)

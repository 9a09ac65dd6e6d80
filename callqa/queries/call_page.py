"""What the call page shows, gathered from the call and the people's decisions on it."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.models import (
    Call,
    CallReview,
    Dispute,
    DisputeStatus,
    Feedback,
    ItemOverride,
    Redaction,
)
from callqa.qa.scoring.score import Score
from callqa.services import reviewing
from callqa.services.reviewing import latest_overrides, machine_score, override_history


@dataclass
class ItemView:
    item_id: str
    label: dict[str, str]
    verdict: str  # effective
    machine_verdict: str
    weight: float
    critical: bool
    explanation: dict[str, str]
    looked_in: dict[str, Any] | None
    evidence: list[dict[str, Any]]
    history: list[ItemOverride] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)

    @property
    def overridden(self) -> bool:
        return bool(self.history)

    @property
    def open_dispute(self) -> Dispute | None:
        return next((d for d in self.disputes if d.status == DisputeStatus.OPEN), None)

    @property
    def can_dispute(self) -> bool:
        return reviewing.can_dispute(self.verdict, self.disputes)


@dataclass
class UtteranceView:
    index: int
    speaker: str
    start: float
    end: float
    text: str
    marks: list[str]  # the matched words to highlight (in any case) in the text


@dataclass
class CallPage:
    call: Call
    items: list[ItemView]
    utterances: list[UtteranceView]
    machine_score: Score | None
    feedback: list[Feedback]
    review: CallReview | None
    redactions: list[Redaction] = field(default_factory=list)  # what was redacted where

    @property
    def has_audio(self) -> bool:
        return self.call.storage_name is not None


def find_call(session: Session, call_id: int) -> Call | None:
    return session.get(Call, call_id)


def find_feedback(session: Session, feedback_id: int) -> Feedback | None:
    return session.get(Feedback, feedback_id)


def call_page(session: Session, call: Call) -> CallPage:
    items = _items(session, call)
    marks = _marks(items)
    utterances = [
        UtteranceView(i, u.speaker, u.start_s, u.end_s, u.text, marks[i])
        for i, u in enumerate(call.utterances)
    ]
    feedback = session.scalars(
        select(Feedback).where(Feedback.call_id == call.id).order_by(Feedback.id)).all()
    return CallPage(call, items, utterances, machine_score(call) if call.score else None,
                    list(feedback), session.get(CallReview, call.id), list(call.redactions))


def _items(session: Session, call: Call) -> list[ItemView]:
    if call.score is None:
        return []
    overrides = latest_overrides(session, call.id)
    history: dict[str, list[ItemOverride]] = defaultdict(list)
    for row in override_history(session, call.id):
        history[row.item_id].append(row)
    disputes: dict[str, list[Dispute]] = defaultdict(list)
    for dispute in session.scalars(
            select(Dispute).where(Dispute.call_id == call.id).order_by(Dispute.id)):
        disputes[dispute.item_id].append(dispute)
    return [
        ItemView(
            item_id=item.item_id, label=item.detail.get("label") or {},
            verdict=overrides[item.item_id].new_verdict if item.item_id in overrides
            else item.verdict,
            machine_verdict=item.verdict, weight=item.weight, critical=item.critical,
            explanation=item.detail.get("explanation") or {},
            looked_in=item.detail.get("looked_in"), evidence=item.detail.get("evidence") or [],
            history=history[item.item_id], disputes=disputes[item.item_id],
        )
        for item in call.score.items
    ]


def _marks(items: list[ItemView]) -> dict[int, list[str]]:
    """The matched words to highlight, per utterance index."""
    marks: dict[int, list[str]] = defaultdict(list)
    for item in items:
        for evidence in item.evidence:
            if evidence.get("matched"):
                marks[evidence["utterance_index"]].append(evidence["matched"])
    return marks

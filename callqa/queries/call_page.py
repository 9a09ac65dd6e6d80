"""What the call page shows, gathered from the call and the people's decisions on it."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.models import (
    Call,
    CallComment,
    CallReview,
    Dispute,
    DisputeStatus,
    Feedback,
    ItemOverride,
    Redaction,
)
from callqa.models.program import CoachingNote
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
    def decision(self) -> ItemOverride | None:
        """The person's change in force; None: the machine's verdict stands."""
        return self.history[-1] if self.history else None

    @property
    def explanation_current(self) -> bool:
        """The machine's explanation still explains the verdict (nobody changed it)."""
        return self.verdict == self.machine_verdict

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


@dataclass(frozen=True)
class Mark:
    """A span or moment on the timeline: where it starts and ends, in seconds and as a
    percentage of the call (SVG attributes, so no inline style is needed under the CSP)."""

    kind: str  # speech, silence, hold, overtalk, evidence, redaction, coaching, comment
    start: float
    end: float
    duration: float
    lane: int = 0
    detail: str = ""  # what the mark is about (a speaker, an item, an entity): a code or text
    anchor: str = ""  # the element of the page it belongs to

    @property
    def x(self) -> str:
        return f"{min(max(self.start / self.duration, 0.0), 1.0) * 100:.3f}%"

    @property
    def width(self) -> str:
        share = max(self.end - self.start, 0.0) / self.duration
        return f"{min(max(share * 100, 0.25), 100.0):.3f}%"


@dataclass
class Timeline:
    duration: float
    lanes: list[str]  # speakers, one lane each: agent and customer, or unknown (mono)
    speech: list[Mark]
    spans: list[Mark]  # silences, holds, overtalk: across the lanes
    markers: list[Mark]  # evidence, redactions, coaching moments, comments: moments

    @property
    def lane_count(self) -> int:
        return len(self.lanes)


@dataclass
class CallPage:
    call: Call
    items: list[ItemView]
    utterances: list[UtteranceView]
    machine_score: Score | None
    feedback: list[Feedback]
    review: CallReview | None
    redactions: list[Redaction] = field(default_factory=list)  # what was redacted where
    comments: list[CallComment] = field(default_factory=list)  # pinned to moments, in order
    timeline: Timeline | None = None

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
    comments = list(session.scalars(
        select(CallComment).where(CallComment.call_id == call.id)
        .order_by(CallComment.at_s, CallComment.id)))
    coaching = list(session.scalars(
        select(CoachingNote).where(CoachingNote.call_id == call.id).order_by(CoachingNote.id)))
    page = CallPage(call, items, utterances, machine_score(call) if call.score else None,
                    list(feedback), session.get(CallReview, call.id), list(call.redactions),
                    comments)
    page.timeline = _timeline(page, coaching)
    return page


def _timeline(page: CallPage, coaching: list[CoachingNote]) -> Timeline | None:
    """The call drawn along its length: who spoke when, the silences, holds and overtalk the
    metrics found, and the moments that matter (evidence, redactions, coaching, comments)."""
    call = page.call
    ends = [u.end for u in page.utterances]
    duration = max([call.duration_s or 0.0, *ends, 0.0])
    if duration <= 0:
        return None
    mono = call.speakers_known is False or any(u.speaker not in ("agent", "customer")
                                                for u in page.utterances)
    lanes = ["unknown"] if mono else ["agent", "customer"]
    speech = [Mark("speech", u.start, u.end, duration, 0 if mono else lanes.index(u.speaker),
                   u.speaker, f"u-{u.index}") for u in page.utterances]
    metrics = call.score.metrics if call.score else {}
    spans = [Mark("hold" if s.get("hold") else "silence", s["start"], s["end"], duration)
             for s in metrics.get("dead_air") or []]
    spans += [Mark("overtalk", s["start"], s["end"], duration)
              for s in metrics.get("overtalk") or []]
    markers = [Mark("evidence", e["start"], e["end"], duration, detail=item.item_id,
                    anchor=f"item-{item.item_id}")
               for item in page.items for e in item.evidence if e.get("counted", True)]
    markers += [Mark("redaction", r.start_s, r.end_s, duration, detail=r.entity,
                     anchor="redactions") for r in page.redactions]
    markers += [Mark("coaching", moment, moment, duration, anchor=f"coaching-{note.id}")
                for note in coaching for moment in note.moments]
    markers += [Mark("comment", c.at_s, c.at_s, duration, detail=c.text,
                     anchor=f"comment-{c.id}") for c in page.comments]
    return Timeline(duration, lanes, speech, spans, sorted(markers, key=lambda m: m.start))


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

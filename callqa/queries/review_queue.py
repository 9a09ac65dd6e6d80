"""The "To review" queue: every checklist item whose effective verdict (after people's
overrides) is still `review`, oldest call first, with what a reviewer needs to settle it by
listening: the window the item searched, the transcript of that window and the candidate
words the machine heard."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from callqa.models import Call, CallScore, ItemResult, Utterance
from callqa.qa.scoring import Verdict
from callqa.queries.arguments import Rejections, argument
from callqa.queries.scope import EVERYTHING, Scope
from callqa.services.reviewing import suggested_verdict

MAX_PER_PAGE = 200
# Heard a little wider than the window the item searched, so a word on its edge is not cut.
WINDOW_PADDING_S = 0.5


@dataclass(frozen=True)
class ReviewQueueFilters:
    item_id: str | None = None
    agent_id: int | None = None  # agents.id
    queue_id: int | None = None  # queues.id
    scope: Scope = field(default=EVERYTHING, kw_only=True)  # the calls the user may see

    @classmethod
    def from_args(cls, args: Any, rejected: Rejections | None = None) -> ReviewQueueFilters:
        """From request arguments; a number that does not read or is out of range is left
        out (and noted in `rejected`)."""
        return cls(item_id=args.get("item_id") or None,
                   agent_id=argument(args, "agent_id", int, rejected),
                   queue_id=argument(args, "queue_id", int, rejected))


@dataclass(frozen=True)
class WindowLine:
    """An utterance inside the item's window, with the candidate words to mark in it."""

    speaker: str
    start: float
    end: float
    text: str
    marks: list[str]


@dataclass(frozen=True)
class QueueEntry:
    call: Call
    item: ItemResult
    start: float  # the window to play, in seconds of the recording
    end: float
    suggested: str | None  # passed / failed, or None: the machine suggests nothing
    candidates: list[dict[str, Any]]  # the item's evidence, as stored
    lines: list[WindowLine]

    @property
    def label(self) -> dict[str, str]:
        return self.item.detail.get("label") or {}

    @property
    def explanation(self) -> dict[str, str]:
        return self.item.detail.get("explanation") or {}

    @property
    def has_audio(self) -> bool:
        return self.call.storage_name is not None


@dataclass(frozen=True)
class ReviewQueuePage:
    entries: list[QueueEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def review_queue(session: Session, filters: ReviewQueueFilters, page: int = 1,
                 per_page: int = 20) -> ReviewQueuePage:
    """One page of the queue; past the end (its last items just decided), the last page."""
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    total = session.scalar(_filtered(select(func.count(ItemResult.id)), filters)) or 0
    page = min(max(1, page), max(1, -(-total // per_page)))
    rows = session.scalars(
        _filtered(select(ItemResult), filters)
        .options(joinedload(ItemResult.call_score).joinedload(CallScore.scorecard))
        .order_by(_oldest_first(), Call.id, ItemResult.position)
        .limit(per_page).offset((page - 1) * per_page)).all()
    calls = _calls(session, {row.call_id for row in rows})
    utterances = _utterances(session, {row.call_id for row in rows})
    entries = [_entry(calls[row.call_id], row, utterances[row.call_id]) for row in rows]
    return ReviewQueuePage(entries, total, page, per_page)


def queue_entry(session: Session, call: Call, item_id: str) -> QueueEntry | None:
    """One item of the call as a queue entry (its window), whatever its verdict now."""
    item = next((i for i in (call.score.items if call.score else ()) if i.item_id == item_id),
                None)
    if item is None:
        return None
    return _entry(call, item, list(call.utterances))


def _filtered(query: Select, filters: ReviewQueueFilters) -> Select:
    query = query.join(Call, Call.id == ItemResult.call_id).where(
        ItemResult.effective_verdict == str(Verdict.REVIEW))
    if filters.item_id:
        query = query.where(ItemResult.item_id == filters.item_id)
    if filters.agent_id is not None:
        query = query.where(Call.agent_id == filters.agent_id)
    if filters.queue_id is not None:
        query = query.where(Call.queue_id == filters.queue_id)
    return query.where(*filters.scope.conditions())


def _oldest_first():
    """When the call happened, or else when it came in."""
    return func.coalesce(Call.started_at, Call.created_at)


def _calls(session: Session, ids: set[int]) -> dict[int, Call]:
    if not ids:
        return {}
    calls = session.scalars(select(Call).where(Call.id.in_(ids)).options(
        joinedload(Call.agent), joinedload(Call.queue)))
    return {call.id: call for call in calls}


def _utterances(session: Session, call_ids: set[int]) -> dict[int, list[Utterance]]:
    found: dict[int, list[Utterance]] = defaultdict(list)
    if call_ids:
        for row in session.scalars(select(Utterance).where(Utterance.call_id.in_(call_ids))
                                   .order_by(Utterance.call_id, Utterance.position)):
            found[row.call_id].append(row)
    return found


def _entry(call: Call, item: ItemResult, utterances: list[Utterance]) -> QueueEntry:
    start, end = item_window(call, item)
    candidates = list(item.detail.get("evidence") or [])
    marks: dict[int, list[str]] = defaultdict(list)
    for candidate in candidates:
        if candidate.get("matched"):
            marks[candidate["utterance_index"]].append(candidate["matched"])
    lines = [WindowLine(u.speaker, u.start_s, u.end_s, u.text, marks[index])
             for index, u in enumerate(utterances) if u.end_s > start and u.start_s < end]
    return QueueEntry(call, item, start, end, suggested_verdict(call, item), candidates, lines)


def item_window(call: Call, item: ItemResult) -> tuple[float, float]:
    """The seconds the item searched (the whole call when it had no window), padded a little
    and kept inside the recording."""
    duration = call.duration_s or 0.0
    looked_in = item.detail.get("looked_in") or {}
    start = float(looked_in.get("start", 0.0))
    end = float(looked_in.get("end", duration))
    start = max(0.0, start - WINDOW_PADDING_S)
    end = end + WINDOW_PADDING_S
    if duration:
        end = min(end, duration)
    return round(start, 2), round(max(end, start), 2)

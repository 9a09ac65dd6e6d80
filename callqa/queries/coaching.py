"""Coaching as the UI shows it: a call's notes, and an agent's open and done coaching with
the weekly pass rate of the items it was about."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from callqa.models import Call, CoachingNote, CoachingStatus, ItemResult
from callqa.qa.sampling import week_start
from callqa.qa.scoring import Verdict
from callqa.queries.stats import UtcDay

__all__ = ["TREND_WEEKS", "AgentCoaching", "ItemTrend", "agent_coaching", "call_coaching",
           "find_note"]

TREND_WEEKS = 8


def find_note(session: Session, note_id: int) -> CoachingNote | None:
    return session.get(CoachingNote, note_id)


def call_coaching(session: Session, call_id: int) -> list[CoachingNote]:
    return list(session.scalars(select(CoachingNote).where(CoachingNote.call_id == call_id)
                                .options(joinedload(CoachingNote.author))
                                .order_by(CoachingNote.id)))


@dataclass
class ItemTrend:
    """An item's pass rate per week (the Monday) over the agent's calls: passed / decided."""

    item_id: str
    weeks: list[date]
    passed: dict[date, int] = field(default_factory=dict)
    decided: dict[date, int] = field(default_factory=dict)

    def rate(self, week: date) -> float | None:
        decided = self.decided.get(week, 0)
        return self.passed.get(week, 0) / decided if decided else None


@dataclass
class AgentCoaching:
    open: list[CoachingNote]  # oldest first
    done: list[CoachingNote]  # latest acknowledged first
    trends: list[ItemTrend]  # the items the notes were about, by first coached


def agent_coaching(session: Session, agent_id: int, today: date) -> AgentCoaching:
    notes = list(session.scalars(
        select(CoachingNote).where(CoachingNote.agent_id == agent_id)
        .options(joinedload(CoachingNote.author), joinedload(CoachingNote.call))
        .order_by(CoachingNote.id)))
    open_notes = [n for n in notes if n.status == CoachingStatus.OPEN]
    done = sorted((n for n in notes if n.status != CoachingStatus.OPEN),
                  key=lambda n: n.acknowledged_at or n.created_at, reverse=True)
    items = list(dict.fromkeys(item for note in notes for item in note.item_ids))
    return AgentCoaching(open_notes, done, _trends(session, agent_id, items, today))


def _trends(session: Session, agent_id: int, items: list[str], today: date) -> list[ItemTrend]:
    last = week_start(today)
    weeks = [last - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    trends = {item: ItemTrend(item, weeks) for item in items}
    if not items:
        return []
    day = UtcDay(Call.started_at)
    decided = (str(Verdict.PASSED), str(Verdict.FAILED))
    query = (select(ItemResult.item_id, day, ItemResult.effective_verdict, func.count())
             .join(Call, Call.id == ItemResult.call_id)
             .where(Call.agent_id == agent_id, ItemResult.item_id.in_(items),
                    ItemResult.effective_verdict.in_(decided),
                    Call.started_at >= datetime.combine(weeks[0], time.min, tzinfo=UTC))
             .group_by(ItemResult.item_id, day, ItemResult.effective_verdict))
    for item_id, call_day, verdict, count in session.execute(query):
        week = week_start(call_day)
        trend = trends[item_id]
        trend.decided[week] = trend.decided.get(week, 0) + count
        if verdict == Verdict.PASSED:
            trend.passed[week] = trend.passed.get(week, 0) + count
    return [trends[item] for item in items]

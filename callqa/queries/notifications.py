"""What asks for a signed-in user's attention, worked out from the records (nothing is stored
to be marked read: a notification goes away when what it is about is done).

Agents: feedback not acknowledged yet, coaching to acknowledge, and their disputes answered in
the last ANSWERED_DAYS days. Supervisors and admins: their review assignments due within
DUE_SOON_DAYS days or overdue, the open disputes of the calls they may see, and calibration
sessions waiting for their verdicts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.models import (
    AssignmentStatus,
    CalibrationReviewer,
    CalibrationSession,
    CalibrationStatus,
    Call,
    CoachingNote,
    CoachingStatus,
    Dispute,
    DisputeStatus,
    Feedback,
    ReviewAssignment,
    Role,
    User,
)
from callqa.queries.scope import Scope

__all__ = ["ANSWERED_DAYS", "DUE_SOON_DAYS", "Notification", "notifications"]

ANSWERED_DAYS = 14
DUE_SOON_DAYS = 2


@dataclass(frozen=True)
class Notification:
    kind: str  # feedback, coaching, dispute_answered, assignment_due, dispute_open, calibration
    ref: int  # the id of what it is about: feedback, note, dispute, assignment, session
    call_id: int | None
    when: datetime  # when it happened, or for an assignment when it is due
    detail: str = ""  # a dispute's item, a session's name
    overdue: bool = False


def notifications(session: Session, user: User, scope: Scope, now: datetime) -> list[Notification]:
    """The user's notifications: assignments by due date first, then the newest first."""
    if user.role == Role.AGENT:
        return _agents(session, user, now)
    return _supervisors(session, user, scope, now)


def _agents(session: Session, user: User, now: datetime) -> list[Notification]:
    if user.agent_id is None:
        return []
    found = [Notification("feedback", fb.id, fb.call_id, fb.created_at)
             for fb in session.scalars(select(Feedback).join(Call, Call.id == Feedback.call_id)
                                       .where(Call.agent_id == user.agent_id,
                                              Feedback.acknowledged_at.is_(None)))]
    found += [Notification("coaching", note.id, note.call_id, note.created_at)
              for note in session.scalars(select(CoachingNote).where(
                  CoachingNote.agent_id == user.agent_id,
                  CoachingNote.status == CoachingStatus.OPEN))]
    since = now - timedelta(days=ANSWERED_DAYS)
    found += [Notification("dispute_answered", d.id, d.call_id, d.resolved_at or d.created_at,
                           d.item_id)
              for d in session.scalars(select(Dispute).where(
                  Dispute.agent_user_id == user.id, Dispute.status != DisputeStatus.OPEN,
                  Dispute.resolved_at >= since))]
    return _newest_first(found)


def _supervisors(session: Session, user: User, scope: Scope,
                 now: datetime) -> list[Notification]:
    due = [Notification("assignment_due", a.id, a.call_id, a.due_at, overdue=a.due_at < now)
           for a in session.scalars(
               select(ReviewAssignment).join(Call, Call.id == ReviewAssignment.call_id)
               .where(ReviewAssignment.reviewer_id == user.id,
                      ReviewAssignment.status == AssignmentStatus.OPEN,
                      ReviewAssignment.due_at <= now + timedelta(days=DUE_SOON_DAYS),
                      *scope.conditions())
               .order_by(ReviewAssignment.due_at))]
    others = [Notification("calibration", s.id, None, s.created_at, s.name)
              for s in session.scalars(
                  select(CalibrationSession)
                  .join(CalibrationReviewer,
                        CalibrationReviewer.session_id == CalibrationSession.id)
                  .where(CalibrationReviewer.user_id == user.id,
                         CalibrationReviewer.submitted_at.is_(None),
                         CalibrationSession.status == CalibrationStatus.OPEN))]
    others += [Notification("dispute_open", d.id, d.call_id, d.created_at, d.item_id)
               for d in session.scalars(
                   select(Dispute).join(Call, Call.id == Dispute.call_id)
                   .where(Dispute.status == DisputeStatus.OPEN, *scope.conditions()))]
    return due + _newest_first(others)


def _newest_first(found: list[Notification]) -> list[Notification]:
    return sorted(found, key=lambda n: (n.when, n.ref), reverse=True)

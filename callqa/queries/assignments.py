"""Review assignments as the UI shows them: a reviewer's "My reviews" queue and a call's."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from callqa.models import AssignmentStatus, Call, ReviewAssignment, Role, User
from callqa.queries.scope import EVERYTHING, Scope

__all__ = ["DONE_SHOWN", "MyReviews", "call_assignments", "my_reviews", "reviewers"]

DONE_SHOWN = 50


@dataclass(frozen=True)
class MyReviews:
    open: list[ReviewAssignment]  # the soonest due first
    done: list[ReviewAssignment]  # the latest done first


def my_reviews(session: Session, user: User, scope: Scope = EVERYTHING) -> MyReviews:
    query = (select(ReviewAssignment).join(Call, Call.id == ReviewAssignment.call_id)
             .where(ReviewAssignment.reviewer_id == user.id, *scope.conditions())
             .options(joinedload(ReviewAssignment.call).joinedload(Call.agent),
                      joinedload(ReviewAssignment.call).joinedload(Call.score),
                      joinedload(ReviewAssignment.rule)))
    open_ones = session.scalars(query.where(ReviewAssignment.status == AssignmentStatus.OPEN)
                                .order_by(ReviewAssignment.due_at, ReviewAssignment.id))
    done = session.scalars(query.where(ReviewAssignment.status == AssignmentStatus.DONE)
                           .order_by(ReviewAssignment.done_at.desc()).limit(DONE_SHOWN))
    return MyReviews(list(open_ones.unique()), list(done.unique()))


def call_assignments(session: Session, call_id: int) -> list[ReviewAssignment]:
    return list(session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.call_id == call_id)
        .options(joinedload(ReviewAssignment.reviewer), joinedload(ReviewAssignment.rule))
        .order_by(ReviewAssignment.id)))


def reviewers(session: Session) -> list[User]:
    """Who may review calls: the active supervisors and admins, by name."""
    return list(session.scalars(
        select(User).where(User.active.is_(True), User.role.in_([Role.SUPERVISOR, Role.ADMIN]))
        .order_by(User.username)))

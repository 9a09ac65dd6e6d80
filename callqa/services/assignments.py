"""Review assignments: sampling rules pick calls for a person's review (callqa.qa.sampling)
and give them to reviewers in turn or leave them to be assigned by hand; an assignment is
done when its call is marked reviewed. Works in the caller's session, never commits."""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from callqa.models import (
    AssignmentReason,
    AssignmentStatus,
    AssignMode,
    Call,
    CallScore,
    CallStatus,
    Dispute,
    ItemResult,
    Queue,
    ReviewAssignment,
    Role,
    SamplingReviewer,
    SamplingRule,
    Team,
    TeamMember,
    User,
    utcnow,
)
from callqa.qa.messages import N_
from callqa.qa.sampling import (
    Candidate,
    Pick,
    Reviewer,
    SamplingPlan,
    round_robin,
    sample_calls,
    week_start,
)
from callqa.qa.scoring import Verdict

__all__ = ["AssignmentError", "SamplingRun", "assign_by_hand", "candidates", "create_rule",
           "find_rule", "is_own_call", "mark_done", "plan_of", "reopen", "run_rule"]

REVIEWER_ROLES = (Role.SUPERVISOR, Role.ADMIN)


class AssignmentError(ValueError):
    """A rule or an assignment that cannot be made; the message says why (and is translated
    in the web)."""


def create_rule(
    session: Session, name: str, *, team: str | None = None, queue: str | None = None,
    per_agent_week: int = 2, seed: int | None = None, include_critical: bool = True,
    include_review: bool = True, include_disputed: bool = True,
    mode: AssignMode = AssignMode.ROUND_ROBIN, due_days: int = 7,
    reviewers: Sequence[str] = (),
) -> SamplingRule:
    """A rule over one team's or one queue's calls; without a seed, a random one is stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AssignmentError("a rule name is 1-100 characters")
    if session.scalar(select(SamplingRule).where(SamplingRule.name == name)) is not None:
        raise AssignmentError(f"there is a rule named {name!r} already")
    if (team is None) == (queue is None):
        raise AssignmentError("a rule samples one team's or one queue's calls: give one")
    if per_agent_week < 0 or due_days < 1:
        raise AssignmentError("calls per agent and week: 0 or more; days to review: 1 or more")
    if seed is not None and not 0 <= seed < 2**31:
        raise AssignmentError(f"a seed is a whole number from 0 to {2**31 - 1}")
    if mode == AssignMode.ROUND_ROBIN and not reviewers:
        raise AssignmentError("round-robin needs reviewers")
    rule = SamplingRule(
        name=name, team=_named(session, Team, team), queue=_named(session, Queue, queue),
        per_agent_week=per_agent_week, seed=secrets.randbelow(2**31) if seed is None else seed,
        include_critical=include_critical, include_review=include_review,
        include_disputed=include_disputed, assign_mode=mode, due_days=due_days,
        reviewers=[SamplingReviewer(user_id=_reviewer(session, username).id)
                   for username in dict.fromkeys(reviewers)])
    session.add(rule)
    session.flush()
    return rule


def _named(session: Session, model: type[Team] | type[Queue], name: str | None):
    if name is None:
        return None
    row = session.scalar(select(model).where(model.name == name))
    if row is None:
        raise AssignmentError(f"no {model.__tablename__.rstrip('s')} named {name!r}")
    return row


def _reviewer(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or user.role not in REVIEWER_ROLES:
        raise AssignmentError(f"{username!r} is no active supervisor or admin")
    return user


def find_rule(session: Session, name: str) -> SamplingRule:
    rule = session.scalar(select(SamplingRule).where(SamplingRule.name == name))
    if rule is None:
        raise AssignmentError(f"no rule named {name!r}")
    return rule


def plan_of(rule: SamplingRule) -> SamplingPlan:
    return SamplingPlan(rule.per_agent_week, rule.seed, rule.include_critical,
                        rule.include_review, rule.include_disputed)


def candidates(session: Session, rule: SamplingRule, week: date) -> list[Candidate]:
    """The rule's scored calls that started in the ISO week of `week` (UTC days)."""
    start = datetime.combine(week_start(week), time.min, tzinfo=UTC)
    in_review = exists().where(ItemResult.call_id == Call.id,
                               ItemResult.effective_verdict == str(Verdict.REVIEW))
    disputed = exists().where(Dispute.call_id == Call.id)
    query = (select(Call.id, Call.agent_id, Call.started_at, CallScore.flagged, in_review,
                    disputed)
             .join(CallScore, CallScore.call_id == Call.id)
             .where(Call.status == CallStatus.DONE, Call.started_at >= start,
                    Call.started_at < start + timedelta(days=7)))
    if rule.team_id is not None:
        query = query.where(Call.agent_id.in_(
            select(TeamMember.agent_id).where(TeamMember.team_id == rule.team_id)))
    else:
        query = query.where(Call.queue_id == rule.queue_id)
    return [Candidate(call_id, agent_id, started_at, bool(flagged), bool(review), bool(dispute))
            for call_id, agent_id, started_at, flagged, review, dispute in session.execute(query)
            if started_at is not None]  # the range above leaves out calls without a start


@dataclass(frozen=True)
class SamplingRun:
    week: date  # the Monday
    picks: list[Pick]
    created: list[ReviewAssignment]  # new: a call the rule had picked before is not again

    @property
    def unassigned(self) -> int:
        return sum(1 for a in self.created if a.reviewer_id is None)


def run_rule(session: Session, rule: SamplingRule, week: date,
             now: datetime | None = None) -> SamplingRun:
    """Sample the week's calls and assign them; running it again adds only what is new."""
    now = now or utcnow()
    picks = sample_calls(candidates(session, rule, week), plan_of(rule))
    taken = set(session.scalars(select(ReviewAssignment.call_id)
                                .where(ReviewAssignment.rule_id == rule.id)))
    new = [pick for pick in picks if pick.call_id not in taken]
    if rule.assign_mode == AssignMode.ROUND_ROBIN:
        reviewers = [Reviewer(r.user_id, r.user.agent_id) for r in rule.reviewers]
        so_far = session.scalar(select(func.count()).select_from(ReviewAssignment)
                                .where(ReviewAssignment.rule_id == rule.id)) or 0
        given = round_robin(new, reviewers, start=so_far)
    else:
        given = [None] * len(new)
    created = [ReviewAssignment(call_id=pick.call_id, rule_id=rule.id, reviewer_id=reviewer,
                                reason=AssignmentReason(str(pick.reason)), week_start=pick.week,
                                due_at=now + timedelta(days=rule.due_days), created_at=now)
               for pick, reviewer in zip(new, given, strict=True)]
    session.add_all(created)
    session.flush()
    return SamplingRun(week_start(week), picks, created)


def is_own_call(user: User, call: Call) -> bool:
    return user.agent_id is not None and user.agent_id == call.agent_id


def assign_by_hand(session: Session, call: Call, reviewer: User | None, by: User,
                   due: date) -> ReviewAssignment:
    """Give the call's open assignment (the oldest; none: a new one) to `reviewer`."""
    if reviewer is None or not reviewer.active or reviewer.role not in REVIEWER_ROLES:
        raise AssignmentError(N_("Choose a reviewer."))
    if is_own_call(reviewer, call):
        raise AssignmentError(N_("Nobody reviews their own calls."))
    due_at = datetime.combine(due, time(23, 59), tzinfo=UTC)
    if due_at < utcnow():
        raise AssignmentError(N_("The due date has passed."))
    assignment = session.scalar(
        select(ReviewAssignment).where(ReviewAssignment.call_id == call.id,
                                       ReviewAssignment.status == AssignmentStatus.OPEN)
        .order_by(ReviewAssignment.id))
    if assignment is None:
        assignment = ReviewAssignment(call_id=call.id, reason=AssignmentReason.MANUAL)
        session.add(assignment)
    assignment.reviewer_id, assignment.assigned_by_id = reviewer.id, by.id
    assignment.due_at = due_at
    session.flush()
    return assignment


def mark_done(session: Session, call: Call) -> None:
    """The call was marked reviewed: its open assignments are done, whoever reviewed it."""
    for assignment in _assignments(session, call, AssignmentStatus.OPEN):
        assignment.status, assignment.done_at = AssignmentStatus.DONE, utcnow()


def reopen(session: Session, call: Call) -> None:
    """The call was marked not reviewed: its done assignments are open again."""
    for assignment in _assignments(session, call, AssignmentStatus.DONE):
        assignment.status, assignment.done_at = AssignmentStatus.OPEN, None


def _assignments(session: Session, call: Call,
                 status: AssignmentStatus) -> list[ReviewAssignment]:
    return list(session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.call_id == call.id, ReviewAssignment.status == status)))

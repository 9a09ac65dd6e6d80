"""The QA program around the calls: teams of agents and the supervisors given them, sampling
rules and the review assignments they make, calibration sessions, and coaching notes."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callqa.models.base import Base, EnumText, UTCDateTime, utcnow
from callqa.models.call import Agent, Call, Queue
from callqa.models.user import User


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TeamMember(Base):
    """An agent's team: an agent is in at most one."""

    __tablename__ = "team_members"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)

    agent: Mapped[Agent] = relationship()
    team: Mapped[Team] = relationship()


class TeamSupervisor(Base):
    """A team given to a supervisor; a supervisor with none is given every call."""

    __tablename__ = "team_supervisors"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)

    team: Mapped[Team] = relationship()
    user: Mapped[User] = relationship()


class AssignMode(StrEnum):
    ROUND_ROBIN = "round_robin"  # to the rule's reviewers in turn
    MANUAL = "manual"  # left unassigned until someone assigns each by hand


class SamplingRule(Base):
    """Which calls of a team or a queue get a person's review: `per_agent_week` at random per
    agent and ISO week, plus every call with a failed critical item, with items in review, or
    disputed (each switchable). `seed` makes a run reproducible."""

    __tablename__ = "sampling_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    per_agent_week: Mapped[int] = mapped_column(default=2)
    include_critical: Mapped[bool] = mapped_column(default=True)
    include_review: Mapped[bool] = mapped_column(default=True)
    include_disputed: Mapped[bool] = mapped_column(default=True)
    seed: Mapped[int]
    assign_mode: Mapped[AssignMode] = mapped_column(EnumText(AssignMode),
                                                    default=AssignMode.ROUND_ROBIN)
    due_days: Mapped[int] = mapped_column(default=7)  # after the sampling run
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team | None] = relationship()
    queue: Mapped[Queue | None] = relationship()
    reviewers: Mapped[list[SamplingReviewer]] = relationship(
        cascade="all, delete-orphan", order_by="SamplingReviewer.user_id")


class SamplingReviewer(Base):
    __tablename__ = "sampling_reviewers"

    rule_id: Mapped[int] = mapped_column(
        ForeignKey("sampling_rules.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    user: Mapped[User] = relationship()


class AssignmentReason(StrEnum):
    SAMPLED = "sampled"  # drawn at random
    CRITICAL = "critical"  # a critical item failed
    REVIEW = "review"  # items the machine left in review
    DISPUTED = "disputed"
    MANUAL = "manual"  # assigned by hand from the call page


class AssignmentStatus(StrEnum):
    OPEN = "open"
    DONE = "done"  # the call was marked reviewed


class ReviewAssignment(Base):
    """A call to review by a reviewer (None: not yet assigned) by a due date."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        UniqueConstraint("rule_id", "call_id"),  # a rule samples a call once
        Index("ix_review_assignments_reviewer_status", "reviewer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("sampling_rules.id", ondelete="SET NULL"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[AssignmentReason] = mapped_column(EnumText(AssignmentReason))
    week_start: Mapped[date | None] = mapped_column(Date)  # the sampled ISO week's Monday
    status: Mapped[AssignmentStatus] = mapped_column(EnumText(AssignmentStatus),
                                                     default=AssignmentStatus.OPEN)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    call: Mapped[Call] = relationship()
    rule: Mapped[SamplingRule | None] = relationship()
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])


class CalibrationStatus(StrEnum):
    OPEN = "open"  # reviewers scoring, the lead recording agreed verdicts
    CLOSED = "closed"  # the figures are final


class CalibrationSession(Base):
    __tablename__ = "calibration_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    lead_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[CalibrationStatus] = mapped_column(EnumText(CalibrationStatus),
                                                      default=CalibrationStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lead: Mapped[User] = relationship()
    calls: Mapped[list[CalibrationCall]] = relationship(
        cascade="all, delete-orphan", order_by="CalibrationCall.call_id")
    reviewers: Mapped[list[CalibrationReviewer]] = relationship(
        cascade="all, delete-orphan", order_by="CalibrationReviewer.user_id")


class CalibrationCall(Base):
    __tablename__ = "calibration_calls"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE"), primary_key=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True, index=True)

    call: Mapped[Call] = relationship()


class CalibrationReviewer(Base):
    """A reviewer of the session; until `submitted_at` they score blind."""

    __tablename__ = "calibration_reviewers"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class CalibrationVerdict(Base):
    """A reviewer's verdict on an item of a call in a session (kept apart from the call's)."""

    __tablename__ = "calibration_verdicts"
    __table_args__ = (UniqueConstraint("session_id", "call_id", "item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE"))
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(16))


class CalibrationAgreed(Base):
    """The verdict the lead recorded as agreed for an item of a call."""

    __tablename__ = "calibration_agreed"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE"), primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"),
                                         primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(16))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CoachingStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


class CoachingNote(Base):
    """Coaching for an agent from one of their calls, about some of its checklist items and
    moments (seconds into the call)."""

    __tablename__ = "coaching_notes"
    __table_args__ = (Index("ix_coaching_notes_agent_status", "agent_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    item_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    moments: Mapped[list[float]] = mapped_column(JSON, default=list)
    status: Mapped[CoachingStatus] = mapped_column(EnumText(CoachingStatus),
                                                   default=CoachingStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    call: Mapped[Call] = relationship()
    author: Mapped[User] = relationship()

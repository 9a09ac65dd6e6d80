"""People reviewing calls: verdict overrides (the audit trail), reviews, feedback for agents and
agents' disputes of checklist items."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callqa.models.base import Base, EnumText, UTCDateTime, utcnow
from callqa.models.user import User


class DisputeStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ItemOverride(Base):
    """One change of an item's effective verdict; the latest per (call, item) is in force."""

    __tablename__ = "item_overrides"
    __table_args__ = (Index("ix_item_overrides_call_item", "call_id", "item_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(64))
    old_verdict: Mapped[str] = mapped_column(String(16))
    new_verdict: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(16), default="override")  # or "dispute"
    dispute_id: Mapped[int | None] = mapped_column(
        ForeignKey("disputes.id", ondelete="SET NULL"))
    # A reviewer settled an item in review after listening to its window (the "To review" queue)
    decided_by_listening: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class CallReview(Base):
    """The call was reviewed; no row: not yet."""

    __tablename__ = "call_reviews"

    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reviewed_by: Mapped[User] = relationship()


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship()


class Dispute(Base):
    """An agent contesting an item's verdict; supervisors accept (the verdict changes) or reject."""

    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    agent_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_verdict: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text)
    status: Mapped[DisputeStatus] = mapped_column(EnumText(DisputeStatus),
                                                  default=DisputeStatus.OPEN)
    reply: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agent_user: Mapped[User] = relationship(foreign_keys=[agent_user_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class CallComment(Base):
    """A supervisor's comment pinned to a moment of the call (seconds from its start); the
    call's agent sees it with the call, as they see feedback."""

    __tablename__ = "call_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at_s: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()

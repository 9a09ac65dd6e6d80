"""Scorecards as used (versioned by content) and each call's scored checklist."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callqa.models.base import Base, UTCDateTime, utcnow


class Scorecard(Base):
    """The exact scorecard text a result was computed with, so old results stay explainable."""

    __tablename__ = "scorecards"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CallScore(Base):
    """A call's current scorecard result and metrics (re-scoring replaces it)."""

    __tablename__ = "call_scores"
    # The call list sorted by score: the index is the order, ties by call
    __table_args__ = (Index("ix_call_scores_score_call", "score", "call_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"))
    score: Mapped[float | None] = mapped_column(Float)
    passed_weight: Mapped[float] = mapped_column(Float)
    applicable_weight: Mapped[float] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(default=False)  # a critical item failed
    capped: Mapped[bool] = mapped_column(default=False)
    needs_review: Mapped[bool] = mapped_column(default=False)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scorecard: Mapped[Scorecard] = relationship()
    items: Mapped[list[ItemResult]] = relationship(
        back_populates="call_score", cascade="all, delete-orphan", order_by="ItemResult.position"
    )


class ItemResult(Base):
    __tablename__ = "item_results"
    __table_args__ = (
        Index("ix_item_results_item_verdict", "item_id", "verdict"),
        # Calls where an item failed, read from the index alone
        Index("ix_item_results_item_effective_call", "item_id", "effective_verdict", "call_id"),
        # The "To review" queue: every item still in review, whatever the item
        Index("ix_item_results_effective_call", "effective_verdict", "call_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_score_id: Mapped[int] = mapped_column(
        ForeignKey("call_scores.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    item_id: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))  # the machine's, never overwritten
    effective_verdict: Mapped[str] = mapped_column(String(16))  # after people's overrides
    weight: Mapped[float] = mapped_column(Float)
    critical: Mapped[bool] = mapped_column(default=False)
    method: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # label, why, evidence

    call_score: Mapped[CallScore] = relationship(back_populates="items")

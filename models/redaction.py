"""What was redacted in each call (never the value), and the record of each erasure."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from callqa.models.base import Base, EnumText, UTCDateTime, utcnow
from callqa.qa.redaction.detect import Entity


class RedactionMethod(StrEnum):
    TEXT = "text"  # the transcript only
    SILENCE = "silence"  # the transcript, and the recording silenced on the speaker's channel


class Redaction(Base):
    """One redacted stretch of one party's speech: what kind of data, where, how."""

    __tablename__ = "redactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    entity: Mapped[Entity] = mapped_column(EnumText(Entity))
    speaker: Mapped[str] = mapped_column(String(16))
    channel: Mapped[int | None] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    method: Mapped[RedactionMethod] = mapped_column(EnumText(RedactionMethod))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Erasure(Base):
    """Who erased a customer's calls and when; which customer is deliberately not kept."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    erased_by: Mapped[str] = mapped_column(String(100))  # a user name, or "cli"
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    calls: Mapped[int] = mapped_column(Integer)
    files: Mapped[int] = mapped_column(Integer)
    call_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    refreshed_calls: Mapped[int] = mapped_column(Integer, default=0)  # FCR recomputed

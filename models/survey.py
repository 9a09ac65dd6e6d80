"""What the customer said of a call afterwards: a post-call survey (NPS, CSAT, a comment)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callqa.models.base import Base, UTCDateTime, utcnow


class Survey(Base):
    """One call's survey result; a later result for the same call replaces it."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    nps: Mapped[int | None] = mapped_column(Integer)  # 0-10: would recommend
    csat: Mapped[int | None] = mapped_column(Integer)  # 1-5: satisfied with this contact
    comment: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16))  # csv or api
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

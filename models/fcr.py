"""Each call's First Call Resolution verdict, with its reasons and transcript signals."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from callqa.models.base import Base, EnumText, UTCDateTime, utcnow
from callqa.qa.fcr.contacts import FcrStatus


class FcrResult(Base):
    __tablename__ = "fcr_results"

    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[FcrStatus] = mapped_column(EnumText(FcrStatus), index=True)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    signals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    repeat_of: Mapped[list[int]] = mapped_column(JSON, default=list)
    window_ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

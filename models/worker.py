"""Processing workers as the database last saw them: the UI says when none has been seen
recently (uploads would stay queued)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from callqa.models.base import Base, UTCDateTime


class WorkerSeen(Base):
    """A worker process (`host:pid:random`) and when it last polled for calls."""

    __tablename__ = "workers_seen"

    worker: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

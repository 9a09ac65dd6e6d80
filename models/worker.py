"""Worker processes as the database sees them: each process's own report (who it is, what it
runs, when last seen), read by the admin's Workers page and the UI's "no worker runs" notice."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from callqa.models.base import Base, EnumText, UTCDateTime


class WorkerKind(StrEnum):
    CELERY = "celery"  # a process of `callqa worker`, fed by the broker
    EMBEDDED = "embedded"  # `callqa process`, polling the database


class WorkerProcess(Base):
    """One worker process; it refreshes `last_seen_at` every heartbeat while it runs."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # host:pid:tag
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    kind: Mapped[WorkerKind] = mapped_column(EnumText(WorkerKind))
    engine: Mapped[str | None] = mapped_column(String(300))  # e.g. faster-whisper bundled:base
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: running or killed
    deliveries: Mapped[int] = mapped_column(Integer, default=0)  # tasks (or claims) taken up
    calls_done: Mapped[int] = mapped_column(Integer, default=0)  # calls it finished and stored
    current_call_id: Mapped[int | None] = mapped_column(Integer)


"""Named, expiring leases: which one process may do a cluster-wide duty (e.g. the scheduler)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from callqa.models.base import Base, UTCDateTime


class Lease(Base):
    """Held by `holder` until `expires_at`; after that anyone may take it over."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

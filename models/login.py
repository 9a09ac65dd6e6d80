"""Failed sign-ins, kept for a while so that guessing passwords is throttled across every web
worker, not only inside one process."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from callqa.models.base import Base, UTCDateTime, utcnow


class LoginFailure(Base):
    """One refused sign-in: the user name as typed (lower-cased; it need not exist) and the
    client's address."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_address_at", "username", "address", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

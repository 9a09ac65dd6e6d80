"""Who signs in to the review UI: users and their roles."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from callqa.models.base import Base, EnumText, UTCDateTime, utcnow
from callqa.models.call import Agent


class Role(StrEnum):
    ADMIN = "admin"  # users and scorecards, and everything a supervisor does
    SUPERVISOR = "supervisor"  # all calls: review, override, feedback, disputes, uploads
    AGENT = "agent"  # only the calls of the linked agent record, read-only


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(EnumText(Role))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(8))  # UI language; None: the browser's
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # in every session cookie of this user; raising it ends them all (services.accounts)
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the latest sign-in
    # an IANA zone times are shown in; None: CALLQA_TIMEZONE, else by language (web/i18n.py)
    time_zone: Mapped[str | None] = mapped_column(String(64))

    agent: Mapped[Agent | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

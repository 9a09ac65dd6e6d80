"""What other systems plug in with: API tokens, the webhooks they register, and each webhook
delivery with its outcome (an outbox: written in the transaction that scored the call, sent
afterwards, retried when the receiver fails)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callqa.models.base import Base, EnumText, UTCDateTime, utcnow
from callqa.models.program import Team


class ApiScope(StrEnum):
    INGEST = "ingest"  # upload recordings
    READ = "read"  # calls, transcripts, scorecards; webhooks that send scores out
    SURVEYS = "surveys"  # post-call survey results in


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # not sent yet, or to be retried at next_attempt_at
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # gave up after the last attempt


class ApiToken(Base):
    """A per-integration token; only its SHA-256 is stored (the token is shown once)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the token's start, to recognize it by
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    teams: Mapped[list[ApiTokenTeam]] = relationship(
        cascade="all, delete-orphan", order_by="ApiTokenTeam.team_id")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiTokenTeam(Base):
    """A team a token is scoped to, as a supervisor is given teams: a token with teams sees
    only the calls of their agents (on every endpoint, webhooks included); with none, all."""

    __tablename__ = "api_token_teams"

    token_id: Mapped[int] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True)

    team: Mapped[Team] = relationship()


class Webhook(Base):
    """A URL that gets a signed POST when a call is scored. The secret signs (HMAC-SHA256),
    so it is kept as it is: the receiver checks the signature with the same secret."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"),
                                          index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    token: Mapped[ApiToken] = relationship()


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"),
                                            index=True)
    event: Mapped[str] = mapped_column(String(40))
    call_id: Mapped[int | None] = mapped_column(Integer)  # no FK: kept after a call is deleted
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(EnumText(DeliveryStatus),
                                                   default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    webhook: Mapped[Webhook] = relationship()

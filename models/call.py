"""Calls, the agents and queues they belong to, and their transcribed utterances."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callqa.models.base import Base, EnumText, UTCDateTime, utcnow
from callqa.qa.messages import Message

if TYPE_CHECKING:
    from callqa.models.fcr import FcrResult
    from callqa.models.redaction import Redaction
    from callqa.models.score import CallScore
    from callqa.models.survey import Survey


class CallStatus(StrEnum):
    QUEUED = "queued"
    TRANSCRIBING = "transcribing"
    TRANSCRIBED = "transcribed"
    DONE = "done"
    NO_SPEECH = "no_speech"
    FAILED = "failed"


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")

    calls: Mapped[list[Call]] = relationship(back_populates="agent")


class Queue(Base):
    """A call queue (topic); may set the language and channel layout of its calls."""

    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    language: Mapped[str | None] = mapped_column(String(8))
    channel_layout: Mapped[str | None] = mapped_column(String(16))


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_status_id", "status", "id"),
        # The call list: a filter, newest first, read in index order (also the FK indexes)
        Index("ix_calls_agent_started", "agent_id", "started_at"),
        Index("ix_calls_queue_started", "queue_id", "started_at"),
        Index("ix_calls_language_started", "language", "started_at"),
        Index("ix_calls_status_started", "status", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_filename: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(16), default="recording")  # or "transcript"
    storage_name: Mapped[str | None] = mapped_column(String(200))  # None: no recording
    size_bytes: Mapped[int | None] = mapped_column(Integer)

    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"))
    customer_phone: Mapped[str | None] = mapped_column(String(40))
    customer_key: Mapped[str | None] = mapped_column(String(64), index=True)  # E.164 or an id
    customer_name: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    direction: Mapped[str] = mapped_column(String(16), default="inbound")
    # a mystery-shopper or manager call: scored as any other, kept out of agents' statistics
    test_call: Mapped[bool] = mapped_column(default=False, server_default=false())
    language: Mapped[str | None] = mapped_column(String(8))
    channel_layout: Mapped[str | None] = mapped_column(String(16))

    container: Mapped[str | None] = mapped_column(String(32))
    codec: Mapped[str | None] = mapped_column(String(32))
    source_sample_rate: Mapped[int | None] = mapped_column(Integer)
    source_channels: Mapped[int | None] = mapped_column(Integer)
    duration_s: Mapped[float | None] = mapped_column(Float, index=True)

    status: Mapped[CallStatus] = mapped_column(EnumText(CallStatus), default=CallStatus.QUEUED)
    error: Mapped[str | None] = mapped_column(Text)
    # The same reason as a message id and its parameters, which the web shows translated;
    # None on rows stored before 0007 (the web then shows `error` as it is).
    error_msgid: Mapped[str | None] = mapped_column(Text)
    error_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # With a broker: the Celery task whose delivery holds (or last held) the claim, so a
    # redelivery of that same task knows its first delivery died; and when the call was last
    # handed to the broker (None: never, e.g. the broker was down at ingest; the sweep sends it).
    claim_task: Mapped[str | None] = mapped_column(String(155))
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str | None] = mapped_column(String(200))  # the worker process that claimed it

    speakers_known: Mapped[bool | None]
    transcript_language: Mapped[str | None] = mapped_column(String(8))
    # Speech without words where the worker listened a second time: [{speaker, channel, start,
    # end}]; a checklist item there is not failed on words nobody heard.
    unheard_speech: Mapped[list[dict] | None] = mapped_column(JSON)
    engine: Mapped[str | None] = mapped_column(String(40))
    model: Mapped[str | None] = mapped_column(String(300))
    transcribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    agent: Mapped[Agent | None] = relationship(back_populates="calls")
    queue: Mapped[Queue | None] = relationship()
    utterances: Mapped[list[Utterance]] = relationship(
        back_populates="call", order_by="Utterance.position", cascade="all, delete-orphan"
    )
    score: Mapped[CallScore | None] = relationship(cascade="all, delete-orphan")
    fcr: Mapped[FcrResult | None] = relationship(cascade="all, delete-orphan")
    survey: Mapped[Survey | None] = relationship(cascade="all, delete-orphan")
    redactions: Mapped[list[Redaction]] = relationship(
        order_by="Redaction.start_s", cascade="all, delete-orphan")


def error_columns(message: Message | None) -> dict[str, Any]:
    """The values of a call's error columns for a processing error (None: no error)."""
    if message is None:
        return {"error": None, "error_msgid": None, "error_params": None}
    return {"error": str(message), "error_msgid": message.msgid,
            "error_params": dict(message.params) or None}


class Utterance(Base):
    __tablename__ = "utterances"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(16))
    channel: Mapped[int | None] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    words: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    avg_logprob: Mapped[float | None] = mapped_column(Float)
    no_speech_prob: Mapped[float | None] = mapped_column(Float)

    call: Mapped[Call] = relationship(back_populates="utterances")

    __table_args__ = (Index("ix_utterances_call_position", "call_id", "position"),)

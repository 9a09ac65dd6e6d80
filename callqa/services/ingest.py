"""Ingest recordings: hash, probe, copy into managed storage, and queue a call per file.

Each file is its own unit of work, so one bad recording never loses the others.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.utils import secure_filename

from callqa.models import Call, CallStatus, Queue, utcnow
from callqa.models.call import error_columns
from callqa.models.lookup import agent_for, queue_for
from callqa.models.rows import utterance_row
from callqa.qa.audio import TOO_LONG, AudioError, AudioInfo, AudioOptions, probe_audio
from callqa.qa.messages import N_, Message
from callqa.qa.metadata import CallMetadata, customer_key, read_sidecar, sidecar_for
from callqa.qa.storage import IncomingCopy, copy_in, file_sha256, storage_name
from callqa.qa.transcript import Transcript
from callqa.qa.transcript_file import TranscriptFileError, read_transcript_file
from callqa.qa.transcription import AUTO_LANGUAGE
from callqa.services.dispatch import enqueue
from callqa.services.redacting import apply_redaction, redact_for_storage
from callqa.services.score_store import rules_for, score_call
from callqa.services.webhooks import enqueue_call_scored
from callqa.settings import Settings

AUDIO_SUFFIXES = frozenset(
    {".wav", ".mp3", ".flac", ".ogg", ".opus", ".oga", ".m4a", ".aac", ".wma", ".gsm"}
)


@dataclass(frozen=True)
class IngestOutcome:
    source: Path
    # queued, failed (stored with its reason), duplicate, skipped (not stored: not a file, a
    # transcript that does not read), or error (not stored: the file could not be read or
    # copied into storage, e.g. the disk is full; worth trying again)
    status: str
    call_id: int | None = None
    message: str = ""
    problem: Message | None = None  # why a stored call cannot be processed, to translate


def discover_recordings(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given; inside folders, files with an audio suffix, in name order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES and not p.name.startswith(".")
            )
        else:
            yield path


def ingest_recording(
    sessions: sessionmaker[Session], settings: Settings, path: Path, meta: CallMetadata
) -> IngestOutcome:
    if not path.is_file():
        return IngestOutcome(path, "skipped", message="not a file")
    if meta.started_at is None:
        meta = replace(meta, started_at=datetime.fromtimestamp(path.stat().st_mtime, UTC))
    try:
        copy = copy_in(path, settings.recordings_dir)
    except OSError as exc:  # not readable, storage not writable, disk full: this file only
        return _not_stored(path, exc, settings.recordings_dir)
    duplicate = _existing_call_id(sessions, copy.sha256)
    if duplicate is not None:
        copy.discard()
        return _duplicate(path, duplicate)
    info, error = _probe(copy.path, settings)
    name = storage_name(copy.sha256, info.container if info else None)
    kept: str | None = name
    if error is not None and error.msgid == TOO_LONG:
        copy.discard()  # the call says why; hours of audio nobody can process are not kept
        kept = None
    else:
        try:
            copy.keep_as(settings.recordings_dir, name)
        except OSError as exc:
            copy.discard()
            return _not_stored(path, exc, settings.recordings_dir)
    with sessions() as session:
        call = _new_call(session, settings, path, copy, kept, meta, info, error)
        try:
            session.commit()
        except IntegrityError:  # the same audio ingested by another process a moment ago
            session.rollback()
            return _duplicate(path, _existing_call_id(sessions, copy.sha256))
        outcome = IngestOutcome(path, call.status, call.id, str(error or ""), error)
    if outcome.status == CallStatus.QUEUED:  # committed: now a worker may be told
        enqueue(sessions, settings, [call.id])
    return outcome


class Upload(Protocol):
    """A recording sent with a request (werkzeug's FileStorage is one)."""

    @property
    def filename(self) -> str | None: ...

    def save(self, dst: Path) -> object: ...


def ingest_upload(
    sessions: sessionmaker[Session], settings: Settings, upload: Upload, meta: CallMetadata
) -> IngestOutcome:
    """An uploaded recording, saved under its own (sanitized) name so the call keeps it as
    display text, then ingested as any recording. Raises OSError when the upload cannot be
    saved to be read (the disk is full...)."""
    incoming = settings.home / "uploads"
    incoming.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=incoming))
    try:
        path = folder / (secure_filename(upload.filename or "") or "recording")
        upload.save(path)
        return ingest_recording(sessions, settings, path, meta)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _not_stored(path: Path, exc: OSError, storage: Path) -> IngestOutcome:
    """A file that could not be read or copied into storage: nothing of it is kept."""
    problem = Message(N_("not stored: %(reason)s"), {"reason": storage_error(exc, storage)})
    return IngestOutcome(path, "error", message=str(problem), problem=problem)


def storage_error(exc: OSError, where: Path | None = None) -> str:
    """"No space left on device (/var/lib/callqa/recordings)": the reason and the file it
    names, else `where` the write went (a failed write names no file)."""
    reason = exc.strerror or type(exc).__name__
    place = exc.filename or where
    return f"{reason} ({place})" if place else reason


def _duplicate(path: Path, call_id: int | None, what: str = "audio") -> IngestOutcome:
    return IngestOutcome(path, "duplicate", call_id, f"same {what} as call {call_id}")


def recording_metadata(path: Path, defaults: CallMetadata) -> CallMetadata:
    sidecar = sidecar_for(path)
    return read_sidecar(sidecar).over(defaults) if sidecar else defaults


def _existing_call_id(sessions: sessionmaker[Session], sha256: str) -> int | None:
    with sessions() as session:
        return session.scalar(select(Call.id).where(Call.sha256 == sha256))


def _probe(path: Path, settings: Settings) -> tuple[AudioInfo | None, Message | None]:
    try:
        return probe_audio(path, AudioOptions(max_duration_s=settings.max_duration_s)), None
    except AudioError as exc:
        return None, exc.message


def _described_by(session: Session, settings: Settings, meta: CallMetadata) -> dict:
    """The call's columns that come from its metadata, whatever its source."""
    return {
        "external_id": meta.external_id,
        "agent": agent_for(session, meta.agent_id, meta.agent_name) if meta.agent_id else None,
        "queue": queue_for(session, meta.queue) if meta.queue else None,
        "customer_phone": meta.customer_phone,
        "customer_name": meta.customer_name,
        "customer_key": customer_key(meta, settings.phone_country_code),
        "started_at": meta.started_at,
        "direction": meta.direction or "inbound",
        "channel_layout": meta.layout,
        "test_call": bool(meta.test_call),
    }


def _new_call(
    session: Session, settings: Settings, path: Path, copy: IncomingCopy, name: str | None,
    meta: CallMetadata,
    info: AudioInfo | None, error: Message | None,
) -> Call:
    call = Call(
        **_described_by(session, settings, meta), sha256=copy.sha256,
        original_filename=path.name, storage_name=name, size_bytes=copy.size,
        language=meta.language, status=CallStatus.FAILED if error else CallStatus.QUEUED,
        **error_columns(error),
    )
    if info is not None:
        call.container, call.codec = info.container, info.codec
        call.source_sample_rate, call.source_channels = info.sample_rate, info.channels
        call.duration_s = round(info.duration, 3)
    session.add(call)
    return call


def ingest_transcript(
    sessions: sessionmaker[Session], settings: Settings, path: Path, meta: CallMetadata
) -> IngestOutcome:
    """A call transcribed elsewhere: stored with its utterances, then scored at once."""
    language = meta.language or _queue_language(sessions, meta.queue) or settings.default_language
    if not language or language == AUTO_LANGUAGE:
        return IngestOutcome(path, "skipped", message="a transcript needs its language: "
                             "give --language, or a language on its queue")
    try:
        transcript = read_transcript_file(path, language)
    except TranscriptFileError as exc:
        return IngestOutcome(path, "skipped", message=str(exc))
    sha256 = file_sha256(path)
    duplicate = _existing_call_id(sessions, sha256)
    if duplicate is not None:
        return _duplicate(path, duplicate, "transcript")
    if meta.started_at is None:
        meta = replace(meta, started_at=datetime.fromtimestamp(path.stat().st_mtime, UTC))
    with sessions() as session:
        call = _transcript_call(session, settings, path, sha256, meta, transcript)
        session.flush()
        score_call(session, call, rules_for(settings))
        call.status = CallStatus.DONE
        enqueue_call_scored(session, call)  # sent by the next worker's delivery thread
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return _duplicate(path, _existing_call_id(sessions, sha256), "transcript")
        return IngestOutcome(path, call.status, call.id)


def _queue_language(sessions: sessionmaker[Session], queue: str | None) -> str | None:
    if not queue:
        return None
    with sessions() as session:
        return session.scalar(select(Queue.language).where(Queue.name == queue))


def _transcript_call(
    session: Session, settings: Settings, path: Path, sha256: str, meta: CallMetadata,
    transcript: Transcript,
) -> Call:
    redacted = redact_for_storage(transcript, settings.redact)  # before anything is stored
    transcript = redacted.transcript
    call = Call(
        **_described_by(session, settings, meta), source="transcript", sha256=sha256,
        original_filename=path.name, storage_name=None, size_bytes=None,
        language=transcript.language, duration_s=round(transcript.duration, 3),
        status=CallStatus.TRANSCRIBED,
        speakers_known=transcript.speakers_known, transcript_language=transcript.language,
        engine="import", transcribed_at=utcnow(),
        utterances=[utterance_row(i, u) for i, u in enumerate(transcript.utterances)],
    )
    apply_redaction(call, redacted.spans, silenced=False)
    session.add(call)
    return call

"""Retention: delete calls (rows, transcripts, stored recordings) older than the retention period.

A call's age is its `started_at`, or its `created_at` when that is missing. Rows go first,
through the ORM, in small transactions; the database's ON DELETE CASCADE foreign keys take
the transcripts, FCR results and scores with them. A stored file is deleted after its row is
committed, and only when no remaining call uses it: a crash leaves a stray file, never a call
without its recording. Archived originals in the inbox's ingested/ and failed/ folders older
than the period go as well.

A period shorter than the FCR window is refused: a call deleted while later calls can still
repeat it would leave those calls judged FCR on their own, and the unresolved first contact
would never count against its agent.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from callqa.models import Call, utcnow
from callqa.services.inbox import FAILED, INGESTED
from callqa.services.score_store import rules_for
from callqa.settings import Settings

log = logging.getLogger(__name__)

BATCH = 200


class RetentionError(ValueError):
    """A retention period that would delete calls FCR still needs."""


@dataclass(frozen=True)
class RetentionResult:
    cutoff: datetime | None  # None: retention is off
    calls: int = 0
    files: int = 0  # stored recordings deleted
    archived: int = 0  # originals deleted from the inbox's ingested/ and failed/

    def __str__(self) -> str:
        if self.cutoff is None:
            return "retention off: nothing deleted"
        return (f"deleted {self.calls} calls, {self.files} stored recordings and "
                f"{self.archived} archived inbox files from before {self.cutoff.isoformat()}")


def apply_retention(
    sessions: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> RetentionResult:
    if settings.retention_days <= 0:
        log.info("retention is off (CALLQA_RETENTION_DAYS=0): nothing deleted")
        return RetentionResult(None)
    check_retention_period(settings)
    cutoff = (now or utcnow()) - timedelta(days=settings.retention_days)
    calls = files = 0
    while deleted := _delete_calls(sessions, cutoff):
        calls += len(deleted)
        names = [name for name in deleted if name is not None]
        files += _delete_unused_files(sessions, settings.recordings_dir, names)
    archived = _prune_archive(settings.inbox_dir, cutoff) if settings.inbox_dir else 0
    result = RetentionResult(cutoff, calls, files, archived)
    log.info("retention: %s", result)
    return result


def check_retention_period(settings: Settings) -> None:
    """Refuse a retention period shorter than the FCR window of the configured rules."""
    if settings.retention_days <= 0:
        return  # retention off: nothing is deleted
    window_days = rules_for(settings).fcr.policy.window_days
    if settings.retention_days < window_days:
        raise RetentionError(
            f"CALLQA_RETENTION_DAYS={settings.retention_days} is shorter than the FCR window "
            f"({window_days:g} days): calls would be deleted while a repeat contact can still "
            f"come, and its FCR would be judged without them. Keep calls at least "
            f"{math.ceil(window_days)} days, or shorten window_days in the FCR rules.")


def _expired(cutoff: datetime):
    return or_(Call.started_at < cutoff,
               and_(Call.started_at.is_(None), Call.created_at < cutoff))


def _delete_calls(sessions: sessionmaker[Session], cutoff: datetime) -> list[str | None]:
    """Delete one batch of expired calls; their storage names (None: a call without audio)."""
    with sessions.begin() as session:
        calls = session.scalars(
            select(Call).where(_expired(cutoff)).order_by(Call.id).limit(BATCH)
        ).all()
        for call in calls:
            session.delete(call)
        return [call.storage_name for call in calls]


def _delete_unused_files(sessions: sessionmaker[Session], root: Path, names: list[str]) -> int:
    with sessions() as session:
        # Content-addressed: the same audio ingested again meanwhile would use the same file.
        in_use = set(session.scalars(select(Call.storage_name).where(Call.storage_name.in_(names))))
    deleted = 0
    for name in set(names) - in_use:
        path = root / name
        if path.is_file():
            path.unlink()
            deleted += 1
        else:
            log.warning("retention: stored recording %s was already missing", path)
    return deleted


def _prune_archive(inbox: Path, cutoff: datetime) -> int:
    deleted = 0
    for folder in (inbox / INGESTED, inbox / FAILED):
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, UTC) < cutoff:
                path.unlink()
                deleted += 1
    return deleted

"""The inbox: a folder where recordings (with their sidecars) are dropped for ingest.

A recording is taken only once it and its sidecar are unchanged since the previous scan, so
a file still being copied is left for later. Taken recordings move with their sidecars to
`ingested/` (also duplicates and recordings stored as failed calls) or, when their metadata
is unusable, to `failed/` beside a `<name>.error.txt` that says why.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from callqa.qa.metadata import CallMetadata, MetadataError, sidecar_for
from callqa.services.ingest import (
    AUDIO_SUFFIXES,
    IngestOutcome,
    discover_recordings,
    ingest_recording,
    recording_metadata,
)
from callqa.settings import Settings

log = logging.getLogger(__name__)

INGESTED = "ingested"
FAILED = "failed"


@dataclass(frozen=True)
class Signature:
    """What must not change between two scans for a recording to count as complete."""

    size: int
    mtime_ns: int
    sidecar: tuple[str, int, int] | None  # name, size, mtime_ns


@dataclass
class ScanResult:
    seen: int = 0
    waiting: int = 0  # new or still changing: left for a later scan
    outcomes: list[IngestOutcome] = field(default_factory=list)
    rejected: list[tuple[Path, str]] = field(default_factory=list)  # unusable metadata

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        if self.rejected:
            counts["rejected"] = len(self.rejected)
        return counts

    def __str__(self) -> str:
        taken = ", ".join(f"{n} {status}" for status, n in sorted(self.counts().items()))
        return f"{self.seen} in inbox, {self.waiting} waiting" + (f", {taken}" if taken else "")


class InboxWatcher:
    """Scans one inbox; remembers each recording's signature from the previous scan."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, inbox: Path,
        defaults: CallMetadata | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.inbox = inbox
        self.defaults = defaults or CallMetadata()
        self._previous: dict[Path, Signature] = {}

    def scan(self) -> ScanResult:
        """Ingest the recordings unchanged since the previous scan; remember the others."""
        current = {path: sig for path in self.recordings()
                   if (sig := _signature(path)) is not None}
        settled = [path for path, sig in current.items() if self._previous.get(path) == sig]
        self._previous = current
        result = ScanResult(seen=len(current), waiting=len(current) - len(settled))
        for path in settled:
            self._take(path, result)
        return result

    def recordings(self) -> Iterator[Path]:
        """Recordings in the inbox and its subfolders, except ingested/ and failed/."""
        if not self.inbox.is_dir():
            log.warning("inbox %s is not a folder", self.inbox)
            return
        entries = sorted(self.inbox.iterdir())
        yield from (p for p in entries if p.is_file() and _is_recording(p))
        folders = [p for p in entries if p.is_dir() and p.name not in (INGESTED, FAILED)]
        yield from discover_recordings(folders)

    def _take(self, path: Path, result: ScanResult) -> None:
        sidecar = sidecar_for(path)
        try:
            meta = recording_metadata(path, self.defaults)
        except MetadataError as exc:
            self._reject(path, sidecar, str(exc), result)
            return
        except UnicodeDecodeError as exc:
            self._reject(path, sidecar, f"{sidecar}: not UTF-8 text ({exc})", result)
            return
        except OSError as exc:
            log.warning("inbox: cannot read %s now (%s); trying again next scan", sidecar, exc)
            return
        try:
            outcome = ingest_recording(self.sessions, self.settings, path, meta)
        except SQLAlchemyError:
            raise  # the database is unwell: stop this scan, the file stays for the next one
        except OSError as exc:
            log.warning("inbox: cannot ingest %s now (%s); trying again next scan", path, exc)
            return
        except Exception as exc:  # a bug must not block the inbox: park the file with its reason
            log.exception("inbox: ingest of %s failed", path)
            self._reject(path, sidecar, f"internal error: {type(exc).__name__}: {exc}", result)
            return
        if outcome.status == "skipped":  # vanished since the scan
            return
        if outcome.status == "error":  # storage unwell (disk full...): the file stays
            log.warning("inbox: cannot ingest %s now (%s); trying again next scan", path,
                        outcome.message)
            return
        result.outcomes.append(outcome)
        log.info("inbox: %s %s call %s%s", path.name, outcome.status, outcome.call_id,
                 f": {outcome.message}" if outcome.message else "")
        self._move(path, sidecar, INGESTED)
        self._previous.pop(path, None)

    def _reject(self, path: Path, sidecar: Path | None, reason: str, result: ScanResult) -> None:
        log.warning("inbox: %s moved to %s/: %s", path.name, FAILED, reason)
        result.rejected.append((path, reason))
        moved = self._move(path, sidecar, FAILED)
        if moved is not None:
            moved.with_name(moved.name + ".error.txt").write_text(reason + "\n", encoding="utf-8")
        self._previous.pop(path, None)

    def _move(self, path: Path, sidecar: Path | None, folder: str) -> Path | None:
        """Move the recording (and sidecar) under inbox/folder, keeping subfolders; never
        overwrite an earlier file of the same name. Returns the recording's new path."""
        destination = self.inbox / folder / path.parent.relative_to(self.inbox)
        target = _free_name(destination, path, sidecar)
        target.parent.mkdir(parents=True, exist_ok=True)
        # The sidecar first: left behind alone, it would describe a later file of that name.
        if sidecar is not None:
            with suppress(FileNotFoundError):
                sidecar.rename(target.parent / _renamed(sidecar.name, path, target))
        try:
            path.rename(target)
        except FileNotFoundError:  # another scheduler, presumed dead, moved it meanwhile
            log.warning("inbox: %s vanished while being moved to %s/", path, folder)
            return None
        return target


def _is_recording(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_SUFFIXES and not path.name.startswith(".")


def _signature(path: Path) -> Signature | None:
    try:
        stat = path.stat()
        sidecar = sidecar_for(path)
        side = None
        if sidecar is not None:
            side_stat = sidecar.stat()
            side = (sidecar.name, side_stat.st_size, side_stat.st_mtime_ns)
    except FileNotFoundError:  # gone between listing and looking
        return None
    return Signature(stat.st_size, stat.st_mtime_ns, side)


def _free_name(folder: Path, path: Path, sidecar: Path | None) -> Path:
    """folder/name, or folder/name-1, -2, ... where neither recording nor sidecar exists."""
    candidate = folder / path.name
    number = 0
    while candidate.exists() or (
        sidecar is not None and (folder / _renamed(sidecar.name, path, candidate)).exists()
    ):
        number += 1
        candidate = folder / f"{path.stem}-{number}{path.suffix}"
    return candidate


def _renamed(sidecar_name: str, recording: Path, target: Path) -> str:
    """The sidecar's name to go with the recording's new name (x.wav.json -> x-1.wav.json)."""
    return target.stem + sidecar_name[len(recording.stem):]

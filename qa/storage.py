"""Managed recording storage: content-addressed copies under generated names."""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1024 * 1024
_EXTENSIONS = {"wav": ".wav", "mp3": ".mp3", "flac": ".flac", "ogg": ".ogg", "mp4": ".m4a"}
INCOMING = ".incoming"


@dataclass(frozen=True)
class IncomingCopy:
    """A private copy of a recording, hashed while it was copied: what is hashed is stored."""

    path: Path
    sha256: str
    size: int

    def keep_as(self, root: Path, name: str) -> Path:
        destination = root / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.exists():  # the same content is stored already
            self.discard()
        else:
            os.replace(self.path, destination)
        return destination

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def copy_in(source: Path, root: Path) -> IncomingCopy:
    """Copy `source` into the storage root's incoming folder, hashing it on the way."""
    incoming = root / INCOMING
    incoming.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=incoming)
    digest, size = hashlib.sha256(), 0
    try:
        with open(source, "rb") as reader, os.fdopen(fd, "wb") as writer:
            while chunk := reader.read(_CHUNK):
                digest.update(chunk)
                writer.write(chunk)
                size += len(chunk)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return IncomingCopy(Path(tmp), digest.hexdigest(), size)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def storage_name(sha256: str, container: str | None) -> str:
    """Relative path inside the storage root; never derived from the user's file name."""
    return f"{sha256[:2]}/{sha256}{_EXTENSIONS.get(container or '', '.bin')}"

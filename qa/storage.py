"""Managed recording storage: content-addressed copies under generated names."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

_CHUNK = 1024 * 1024
_EXTENSIONS = {"wav": ".wav", "mp3": ".mp3", "flac": ".flac", "ogg": ".ogg"}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def storage_name(sha256: str, container: str | None) -> str:
    """Relative path inside the storage root; never derived from the user's file name."""
    return f"{sha256[:2]}/{sha256}{_EXTENSIONS.get(container or '', '.bin')}"


def store_copy(source: Path, root: Path, name: str) -> Path:
    """Copy `source` to root/name atomically; an existing copy of the same content is kept."""
    destination = root / name
    if destination.exists():
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=destination.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, destination)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return destination


def stored_path(root: Path, name: str) -> Path:
    return root / name

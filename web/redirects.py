"""Where a form may send the browser back to: only a path on this site."""
from __future__ import annotations

from urllib.parse import unquote


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect elsewhere. Browsers drop tabs and
    newlines from a URL and read a backslash as a slash, so a slash, a tab and `/evil` lead
    off-site, and an encoded `%2F` or `%09` may be decoded once more on the way. The target
    must be a plain local path both as given and decoded: no control characters, no scheme
    or host, no empty or dot segments in the path."""
    if not target:
        return None
    if not (_is_local_path(target) and _is_local_path(unquote(target))):
        return None
    return target


def _is_local_path(text: str) -> bool:
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        return False
    path = text.replace("\\", "/").split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        return False
    segments = path.split("/")[1:]
    return all(segment not in ("", ".", "..") for segment in segments[:-1]) and (
        segments[-1] not in (".", ".."))

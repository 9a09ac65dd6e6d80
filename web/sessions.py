"""The signed-in session in the cookie: who, which of their session versions, since when.

A cookie is only signed, not stored on the server, so ending a session means making its
cookie worthless: each user has a session version (raised on sign-out, a new password or
deactivation, in services.accounts), and a cookie of an older version opens nothing. A
session also ends when unused for `session_idle_s` or `session_max_s` after signing in."""
from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Any

from callqa.models import User
from callqa.settings import Settings

_SEEN_EVERY_S = 60  # how often the last-seen time is written back (each write is a new cookie)


def signed_in_values(user: User, now: float | None = None) -> dict[str, Any]:
    """What the cookie holds for a user who has just signed in."""
    now = time.time() if now is None else now
    return {"user_id": user.id, "session_version": user.session_version,
            "signed_in_at": int(now), "seen_at": int(now)}


def is_current(cookie: MutableMapping[str, Any], user: User | None, settings: Settings,
               now: float | None = None) -> bool:
    """Whether the cookie's session is still one of this (active) user's; if so, it is
    marked as seen now (at most once a minute)."""
    if user is None or not user.active:
        return False
    now = time.time() if now is None else now
    signed_in_at, seen_at = cookie.get("signed_in_at"), cookie.get("seen_at")
    if cookie.get("session_version") != user.session_version:
        return False
    if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
        return False
    if now - signed_in_at > settings.session_max_s or now - seen_at > settings.session_idle_s:
        return False
    if now - seen_at >= _SEEN_EVERY_S:
        cookie["seen_at"] = int(now)
    return True

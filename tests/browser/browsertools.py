"""A watched browser page, for the browser tests' fixtures: a fresh profile whose script and
console errors fail the test that used it."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page


@contextmanager
def watched_page(chromium: Browser, base_url: str, timeout_ms: int,
                 navigation_timeout_ms: int | None = None) -> Iterator[Page]:
    """A page in a fresh profile (no cookies) on `base_url`; on leaving, any uncaught script
    error or console error (but failed resource loads) fails the test."""
    context = chromium.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(timeout_ms)
    if navigation_timeout_ms is not None:
        context.set_default_navigation_timeout(navigation_timeout_ms)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("console", lambda message: errors.append(f"console: {message.text}")
            if message.type == "error" and "Failed to load resource" not in message.text
            else None)
    yield page
    context.close()
    assert not errors, errors

"""Fixtures for the browser tests: Debian's chromium, driven by Playwright, against the real
app served over HTTP from a thread. The database is a fresh SQLite file holding the web
tests' world (the sample calls as scored transcripts and as queued recordings, a user of
every role) in which the real worker has transcribed one sample recording with the real
model, so its call page has audio, a transcript and evidence."""
from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The web tests' helpers (webtools) are shared with these tests.
sys.path.insert(0, str(REPO / "tests" / "web"))

import pytest  # noqa: E402
from browsertools import watched_page  # noqa: E402
from dbtools import fresh_database  # noqa: E402
from flask import Flask  # noqa: E402
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402
from webtools import PASSWORD, World, build_world, dispose  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from callqa.services.claims import claim_next, release  # noqa: E402
from callqa.services.worker import Worker  # noqa: E402
from callqa.settings import Settings  # noqa: E402
from callqa.web import create_app  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(os.environ.get("CALLQA_TEST_ARTIFACTS") or REPO / "test-artifacts")
RECORDED = "cen028"  # the shortest sample, in English: Whisper finds evidence in it
TIMEOUT_MS = 15_000


@dataclass
class Site:
    url: str
    app: Flask
    world: World
    recorded_call: int  # RECORDED, transcribed from its recording

    def sessions(self):
        return self.app.extensions["callqa_sessions"]


@pytest.fixture(scope="session")
def site(tmp_path_factory, transcriber) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("site")
    with fresh_database("sqlite", folder) as url:
        settings = Settings(home=folder / "home", database_url=url, default_language="")
        app = create_app({"CALLQA_SETTINGS": settings})
        world = build_world(app, folder)
        recorded = world.audio[RECORDED]
        transcribe_one(app, transcriber, recorded)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Site(f"http://127.0.0.1:{server.server_port}", app, world, recorded)
        finally:
            server.shutdown()
            server.server_close()
            dispose(app)


def transcribe_one(app: Flask, transcriber, call_id: int) -> None:
    """The real worker on one queued recording. Workers take the oldest call first, so the
    calls queued before it are claimed and handed back, as a stopping worker does."""
    settings: Settings = app.config["CALLQA_SETTINGS"]
    sessions = app.extensions["callqa_sessions"]
    held = []
    with sessions.begin() as session:
        while (claim := claim_next(session, settings.stale_claim_s)).call_id != call_id:
            held.append(claim)
    outcome = Worker(sessions, settings, lambda: transcriber).process(claim)
    with sessions.begin() as session:
        for other in held:
            release(session, other)
    assert outcome.status == "done", outcome


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: install Debian's chromium (as .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser, site: Site) -> Iterator[Page]:
    """A fresh browser profile (no cookies) on the site; script errors fail the test."""
    with watched_page(chromium, site.url, TIMEOUT_MS) as page:
        yield page


@pytest.fixture
def sign_in(page: Page):
    def sign_in_as(username: str) -> Page:
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("#login-submit")
        assert page.locator("#current-user").get_attribute("data-username") == username
        return page
    return sign_in_as


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS

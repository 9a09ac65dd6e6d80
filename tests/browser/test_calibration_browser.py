"""A calibration session in a real browser, from creation to agreed verdicts: the lead (admin)
picks John Carter's two calls and two reviewers; each reviewer scores blind (the call page is
closed to them, and the form shows no verdict) and submits; the lead records the agreed
verdicts, sees the figures and closes the session, which the history then lists. Screenshots
in test-artifacts/calibration-*.png. The site is the web tests' world without a recording
transcribed (this test needs no model)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from calibrationtools import FAILED, MACHINE_FAILED, verdicts
from dbtools import fresh_database
from playwright.sync_api import Browser, Page, expect
from webtools import PASSWORD, World, build_world, dispose
from werkzeug.serving import make_server

from callqa.settings import Settings
from callqa.web import create_app

TIMEOUT_MS = 15_000


@dataclass
class ProgramSite:
    url: str
    world: World


@pytest.fixture(scope="module")
def program_site(tmp_path_factory) -> Iterator[ProgramSite]:
    folder = tmp_path_factory.mktemp("program-site")
    with fresh_database("sqlite", folder) as url:
        settings = Settings(home=folder / "home", database_url=url, default_language="")
        app = create_app({"CALLQA_SETTINGS": settings})
        world = build_world(app, folder)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield ProgramSite(f"http://127.0.0.1:{server.server_port}", world)
        finally:
            server.shutdown()
            server.server_close()
            dispose(app)


@pytest.fixture
def browser_as(chromium: Browser, program_site: ProgramSite):
    """A signed-in page per user, each in its own browser profile; script errors fail."""
    contexts, errors = [], []

    def open_as(username: str) -> Page:
        context = chromium.new_context(base_url=program_site.url,
                                       viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("#login-submit")
        expect(page.locator("#current-user")).to_have_attribute("data-username", username)
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert not errors, errors


def _score(page: Page, world: World, reviewer: str) -> None:
    for (call, item), verdict in verdicts(FAILED[reviewer]).items():
        page.check(f'input[name="v-{world.calls[call]}-{item}"][value="{verdict}"]')


def test_a_calibration_session_from_creation_to_agreed_verdicts(
        browser_as, program_site, artifacts):
    world = program_site.world
    calls = [world.calls["cen025"], world.calls["cen028"]]

    lead = browser_as("admin")
    lead.click("#nav-calibration")
    expect(lead.locator("#calibration-history .empty")).to_be_visible()
    with lead.expect_navigation():
        lead.click("#new-calibration")
    lead.fill('input[name="name"]', "Week 45")
    for reviewer in ("supervisor", "spare"):
        lead.check(f'#calibration-reviewers input[value="{world.users[reviewer]}"]')
    for call_id in calls:
        lead.check(f"#pick-call-{call_id}")
    lead.screenshot(path=artifacts / "calibration-new.png", full_page=True)
    with lead.expect_navigation():
        lead.click("#create-calibration")
    expect(lead.locator(".flash.ok")).to_be_visible()
    expect(lead.locator("#pending-reviewers")).to_contain_text("supervisor, spare")
    session_url = lead.url

    for reviewer in ("supervisor", "spare"):
        page = browser_as(reviewer)
        # the session only: the open dispute is on cen028, which they now score blind
        expect(page.locator("#notification-count")).to_have_text("1")
        blocked = page.goto(f"/calls/{calls[0]}")
        assert blocked is not None and blocked.status == 403
        page.goto(session_url)
        expect(page.locator("#blind-notice")).to_be_visible()
        expect(page.locator("[data-verdict]")).to_have_count(0)  # nobody's verdicts
        expect(page.locator("#comparison")).to_have_count(0)
        _score(page, world, reviewer)
        if reviewer == "supervisor":
            page.screenshot(path=artifacts / "calibration-blind.png", full_page=True)
        with page.expect_navigation():
            page.click("#submit-verdicts")
        expect(page.locator(".flash.ok")).to_be_visible()
        expect(page.locator("#comparison")).to_be_visible()
        assert page.goto(f"/calls/{calls[0]}").status == 200  # no longer blind

    lead.goto(session_url)
    expect(lead.locator("#pending-reviewers")).to_have_count(0)
    split = lead.locator("#comparison tr.comparison-row.split")
    expect(split).to_have_count(2)  # the reviewers differ on two items
    lead.screenshot(path=artifacts / "calibration-compare.png", full_page=True)
    for (call, item), agreed in verdicts(MACHINE_FAILED).items():
        lead.select_option(f'select[name="a-{world.calls[call]}-{item}"]', agreed)
    with lead.expect_navigation():
        lead.click("#save-agreed")
    expect(lead.locator(".flash.ok")).to_contain_text("14")
    expect(lead.locator("#kappa")).to_have_attribute("data-value", "0.6500")  # worked by hand
    expect(lead.locator("#machine-agreement")).to_contain_text("100")
    expect(lead.locator('#reviewer-figures tr[data-reviewer="spare"]')).to_have_attribute(
        "data-rate", f"{13 / 14:.4f}")
    expect(lead.locator('#item-figures tr[data-item="thanks"]')).to_have_attribute(
        "data-kappa", "-0.3333")
    lead.screenshot(path=artifacts / "calibration-agreed.png", full_page=True)

    with lead.expect_navigation():
        lead.click("#close-session")
    expect(lead.locator("#save-agreed")).to_have_count(0)
    lead.click("#nav-calibration")
    row = lead.locator("#calibration-history tr.calibration-row")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-kappa", "0.6500")
    lead.screenshot(path=artifacts / "calibration-history.png", full_page=True)

"""The "To review" queue in a real browser: a mono recording (a sample call mixed down, as a
mono recorder stores it) transcribed by the real worker leaves its courtesy items in review;
a supervisor plays an item's window, decides it with a key, and the audit row is written."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Response, expect
from reviewtools import ingest_mono_recording, transcribe
from sqlalchemy import select

from callqa.models import ItemOverride

PLAYING = """entry => {
  const player = document.querySelector(`#${entry} .window-player`);
  return !player.paused && player.currentTime > 1;
}"""


@pytest.fixture(scope="module")
def mono_call(site, transcriber, tmp_path_factory) -> int:
    call_id = ingest_mono_recording(site.app, tmp_path_factory.mktemp("mono"), "cen028")
    transcribe(site.app, transcriber, call_id)
    return call_id


def _overrides(site, call_id: int) -> list[ItemOverride]:
    with site.sessions()() as session:
        rows = session.scalars(select(ItemOverride).where(ItemOverride.call_id == call_id)
                               .order_by(ItemOverride.id)).all()
        for row in rows:
            session.expunge(row)
        return rows


def test_play_the_window_and_decide_with_a_key(page: Page, sign_in, site, mono_call, artifacts):
    windows: list[Response] = []
    page.on("response", lambda r: windows.append(r) if r.url.endswith("/window.wav") else None)
    sign_in("supervisor")
    with page.expect_navigation():
        page.click("#nav-review-queue")
    entry_id = f"entry-{mono_call}-greeting"
    entry = page.locator(f"#{entry_id}")
    expect(entry).to_have_attribute("data-suggested", "passed")
    expect(entry.locator(".candidate").first).to_contain_text("Good morning")
    page.screenshot(path=artifacts / "review-queue.png", full_page=True)

    entry.locator(".why").click()  # this entry takes the keys
    expect(entry).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press(" ")
    page.wait_for_function(PLAYING, arg=entry_id)
    player = entry.locator(".window-player")
    length = float(entry.get_attribute("data-end")) - float(entry.get_attribute("data-start"))
    assert 1 < player.evaluate("p => p.currentTime") <= length
    assert abs(player.evaluate("p => p.duration") - length) < 0.05  # just the window
    assert player.evaluate("p => p.error") is None
    page.keyboard.press(" ")
    expect(player).to_have_js_property("paused", True)
    assert [r.status for r in windows if r.status == 206], [(r.status, r.url) for r in windows]
    assert entry.locator(".window-clock").inner_text() != "00:00.0"  # the call's time

    with page.expect_navigation():
        page.keyboard.press("p")
    expect(page.locator("#flashes")).to_contain_text("Decided")
    expect(page.locator(f"#{entry_id}")).to_have_count(0)
    [row] = _overrides(site, mono_call)
    assert (row.item_id, row.old_verdict, row.new_verdict, row.comment) == (
        "greeting", "review", "passed", "")
    assert row.decided_by_listening and row.source == "override"


def test_deciding_against_the_suggestion_asks_for_a_comment(page: Page, sign_in, site,
                                                            mono_call):
    sign_in("supervisor")
    page.goto("/review-queue?item_id=introduction")
    entry = page.locator(f"#entry-{mono_call}-introduction")
    expect(entry).to_have_attribute("data-suggested", "passed")
    entry.locator(".why").click()
    page.keyboard.press("f")
    expect(entry.locator(".comment-needed")).to_be_visible()
    expect(entry.locator(".decide-comment")).to_be_focused()
    assert [r for r in _overrides(site, mono_call) if r.item_id == "introduction"] == []

    entry.locator(".decide-comment").fill("Not the agent's voice.")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the verdict chosen, fail, not the form's first button
    expect(page).to_have_url(re.compile(r"/review-queue\?item_id=introduction$"))
    row = _overrides(site, mono_call)[-1]
    assert (row.item_id, row.new_verdict, row.comment, row.decided_by_listening) == (
        "introduction", "failed", "Not the agent's voice.", True)

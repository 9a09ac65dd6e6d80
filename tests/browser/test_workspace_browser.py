"""The call page as a review workspace, in Chromium with the real recording: seeking from the
timeline, the playback speed, a verdict changed with the keyboard (which still asks for a
comment), a comment pinned to a moment that the call's agent then reads, and the page at
800 px (no horizontal overflow, the player in view) and on a phone (390 px)."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from callqa.models import CallComment

METADATA_LOADED = "() => document.querySelector('#player').readyState >= 1"
NEAR = """target => {
  const player = document.querySelector('#player');
  return !player.seeking && Math.abs(player.currentTime - target) < 1;
}"""
NO_OVERFLOW = ("() => document.documentElement.scrollWidth <= "
               "document.documentElement.clientWidth")


def open_recorded(page: Page, site) -> None:
    page.goto(f"/calls/{site.recorded_call}")
    page.wait_for_function(METADATA_LOADED)


def click_timeline_at(page: Page, share: float) -> float:
    """Clicks the timeline that share of the way along; the second it stands for."""
    svg = page.locator("#timeline-svg")
    box = svg.bounding_box()
    svg.click(position={"x": box["width"] * share, "y": box["height"] / 2})
    return share * float(page.locator("#timeline").get_attribute("data-duration"))


def pause(page: Page) -> None:
    page.locator("#player").evaluate("p => p.pause()")


def test_timeline_seeks_and_the_speed_changes(page: Page, sign_in, site, artifacts):
    sign_in("supervisor")
    open_recorded(page, site)
    timeline = page.locator("#timeline")
    duration = float(timeline.get_attribute("data-duration"))
    assert abs(duration - page.locator("#player").evaluate("p => p.duration")) < 1
    assert timeline.get_attribute("data-lanes") == "agent customer"  # a stereo recording
    expect(page.locator("#timeline-svg rect.speech.speaker-agent").first).to_be_attached()
    expect(page.locator("#timeline-svg rect.speech.speaker-customer").first).to_be_attached()
    # the items' evidence is marked where it was said
    evidence = page.locator("#timeline-svg rect.marker-evidence")
    assert evidence.count() >= 1
    starts = {round(float(s), 2) for s in evidence.evaluate_all(
        "marks => marks.map(mark => mark.dataset.start)")}
    linked = {round(float(s), 2) for s in page.locator("li.counted .evidence-link").evaluate_all(
        "links => links.map(link => link.dataset.seek)")}
    assert starts == linked

    target = click_timeline_at(page, 0.7)
    page.wait_for_function(NEAR, arg=target)
    pause(page)
    now = page.locator("#player").evaluate("p => p.currentTime")
    head = float(page.locator("#playhead").get_attribute("x1").rstrip("%"))
    assert abs(head - now / duration * 100) < 1.5, (head, now)

    target = click_timeline_at(page, 0.2)  # back again: any point of the timeline
    page.wait_for_function(NEAR, arg=target)
    pause(page)

    page.select_option("#speed", "1.5")
    assert page.locator("#player").evaluate("p => p.playbackRate") == 1.5
    page.select_option("#speed", "0.75")
    assert page.locator("#player").evaluate("p => p.playbackRate") == 0.75
    page.screenshot(path=artifacts / "workspace-timeline.png")


def test_keyboard_shortcuts(page: Page, sign_in, site, artifacts):
    sign_in("supervisor")
    open_recorded(page, site)
    player = page.locator("#player")
    legend = page.locator("#shortcuts")
    expect(legend).to_be_hidden()
    page.click("#shortcuts-toggle")
    expect(legend).to_be_visible()
    expect(legend).to_contain_text("Fail the item")

    page.evaluate("() => document.activeElement.blur()")  # keys to the page, not the button
    page.keyboard.press(" ")  # play
    page.wait_for_function("() => !document.querySelector('#player').paused")
    page.keyboard.press(" ")  # pause
    page.wait_for_function("() => document.querySelector('#player').paused")
    player.evaluate("p => { p.currentTime = 12; }")
    page.wait_for_function(NEAR, arg=12)
    page.keyboard.press("b")  # back 5 s
    page.wait_for_function(NEAR, arg=7)

    items = page.locator("article.item")
    page.keyboard.press("j")
    expect(items.nth(0)).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("j")
    expect(items.nth(1)).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("k")
    expect(items.nth(0)).to_have_class(re.compile(r"\bcurrent\b"))
    page.screenshot(path=artifacts / "workspace-shortcuts.png")


def test_fail_key_asks_for_a_comment_then_changes_the_verdict(page: Page, sign_in, site,
                                                              artifacts):
    sign_in("supervisor")
    open_recorded(page, site)
    # the last such item: the override test in test_browser.py changes the first failed one
    item = page.locator("article.item[data-verdict='passed'][data-decided-by='machine']").last
    item_id = item.get_attribute("data-item")
    item = page.locator(f"#item-{item_id}")
    form = page.locator(f"#override-{item_id}")
    expect(page.locator("form.override-form:visible")).to_have_count(0)  # no open forms
    explanation = item.locator(".explanation").inner_text()

    item.locator("h3").click()  # the current item
    page.keyboard.press("f")
    expect(form).to_be_visible()
    expect(form.locator("select[name=verdict]")).to_have_value("failed")
    comment = form.locator("textarea[name=comment]")
    expect(comment).to_be_focused()
    assert comment.evaluate("t => t.required")
    # keys typed in the comment are text, not shortcuts
    page.keyboard.type("pass fail ")
    expect(form.locator("select[name=verdict]")).to_have_value("failed")
    expect(comment).to_have_value("pass fail ")
    assert page.locator("#player").evaluate("p => p.paused")  # the space did not play
    comment.fill("")
    form.locator("button").first.click()  # without a comment the browser does not send it
    assert comment.evaluate("t => t.validity.valueMissing")
    expect(item).to_have_attribute("data-verdict", "passed")

    comment.fill("No greeting is heard at the start.")
    with page.expect_navigation():
        form.locator("button").first.click()
    expect(item).to_have_attribute("data-verdict", "failed")
    expect(item).to_have_attribute("data-decided-by", "person")
    expect(page.locator(f"#decided-{item_id}")).to_contain_text("supervisor")
    expect(page.locator(f"#decided-{item_id}")).to_contain_text("machine: Passed")
    # the machine's explanation is kept, as the machine's, not as if it explained "Failed"
    original = page.locator(f"#original-{item_id}")
    expect(original).to_contain_text("The machine's original reasoning (Passed)")
    assert explanation in original.inner_text()
    page.screenshot(path=artifacts / "workspace-keyboard-verdict.png")


def test_pinned_comment_is_seen_by_the_agent(page: Page, sign_in, site, artifacts):
    sign_in("supervisor")
    open_recorded(page, site)
    target = click_timeline_at(page, 0.5)
    page.wait_for_function(NEAR, arg=target)
    pause(page)
    now = page.locator("#player").evaluate("p => p.currentTime")
    page.click("#comment-at-now")
    at = page.locator("#comment-at").input_value()
    minutes, seconds = at.split(":")
    assert abs(int(minutes) * 60 + float(seconds) - now) < 0.2, (at, now)
    expect(page.locator("#comment-text")).to_be_focused()
    text = "Here the customer asks twice: answer the first time."
    page.fill("#comment-text", text)
    with page.expect_navigation():
        page.click("#comment-submit")
    expect(page.locator(".flash.ok")).to_be_visible()
    with site.sessions()() as session:
        saved = session.scalars(select(CallComment).where(
            CallComment.call_id == site.recorded_call, CallComment.text == text)).one()
    assert abs(saved.at_s - now) < 0.2
    pinned = page.locator(f"#comment-{saved.id}")
    expect(pinned).to_contain_text(text)
    marker = page.locator(f"#timeline-svg rect.marker-comment[data-anchor='comment-{saved.id}']")
    expect(marker).to_be_attached()

    with page.expect_navigation():
        page.click("#logout")
    sign_in("agent")  # John Carter, the call's agent
    open_recorded(page, site)
    expect(page.locator(f"#comment-{saved.id}")).to_contain_text(text)
    expect(page.locator(f"#timeline-svg rect.marker-comment[data-anchor='comment-{saved.id}']")
           ).to_be_attached()
    expect(page.locator("#comment-form")).to_have_count(0)  # agents read, supervisors write
    page.locator(f"#comment-{saved.id} a.moment").click()  # the moment plays from there
    page.wait_for_function(NEAR, arg=saved.at_s)
    pause(page)
    page.screenshot(path=artifacts / "workspace-agent-comment.png")

    with page.expect_navigation():
        page.click("#logout")
    sign_in("other_agent")  # not their call: it does not exist for them
    assert page.goto(f"/calls/{site.recorded_call}").status == 404


def test_narrow_screens(page: Page, sign_in, site, artifacts):
    sign_in("supervisor")
    page.set_viewport_size({"width": 800, "height": 900})
    open_recorded(page, site)
    assert page.evaluate(NO_OVERFLOW), page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    page.screenshot(path=artifacts / "workspace-800.png", full_page=True)
    # going through the items far down the page, the player stays in view
    page.locator("article.item").last.scroll_into_view_if_needed()
    page.locator("#coaching").scroll_into_view_if_needed()
    assert page.evaluate("() => window.scrollY") > 400
    bar = page.locator("#workspace-bar").bounding_box()
    assert 0 <= bar["y"] < 50 and bar["height"] < 450, bar
    expect(page.locator("#player")).to_be_in_viewport()
    target = click_timeline_at(page, 0.6)  # and works from there
    page.wait_for_function(NEAR, arg=target)
    pause(page)
    page.screenshot(path=artifacts / "workspace-800-scrolled.png")

    page.set_viewport_size({"width": 390, "height": 844})
    open_recorded(page, site)
    assert page.evaluate(NO_OVERFLOW), page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    page.screenshot(path=artifacts / "workspace-390.png", full_page=True)
    page.locator("#comments").scroll_into_view_if_needed()
    expect(page.locator("#player")).to_be_in_viewport()
    page.screenshot(path=artifacts / "workspace-390-scrolled.png")

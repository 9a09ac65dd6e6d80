"""Search by what was said in a real browser: from the call list, a phrase typed without
its accents or case, the hit opened on the call page, where the recording starts at it."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from callqa.models import Utterance

SOUGHT = """target => {
  const player = document.querySelector('#player');
  return player.readyState >= 1 && !player.seeking
    && Math.abs(player.currentTime - target) < 0.3;
}"""


def test_search_and_open_the_hit_at_its_moment(page: Page, sign_in, site, artifacts):
    with site.sessions()() as session:
        said = session.scalars(select(Utterance).where(
            Utterance.call_id == site.recorded_call, Utterance.start_s > 5)
            .order_by(Utterance.position)).all()
    utterance = next(u for u in said if len(re.findall(r"\w+", u.text)) >= 2)
    phrase = " ".join(re.findall(r"\w+", utterance.text)[:2]).upper()
    sign_in("supervisor")
    page.goto("/calls")
    page.fill("#search-q", phrase)
    page.select_option("#search-speaker", utterance.speaker)
    with page.expect_navigation():
        page.click("#search-submit")
    hit = page.locator(f'li.search-hit[data-call-id="{site.recorded_call}"]'
                       f'[data-utterance="{utterance.position}"]')
    expect(hit).to_be_visible()
    expect(hit.locator("q.said")).to_have_text(utterance.text)
    page.screenshot(path=artifacts / "search.png", full_page=True)
    with page.expect_navigation():
        hit.locator("a.search-hit-link").click()
    assert re.search(rf"/calls/{site.recorded_call}#t=[\d.]+$", page.url)
    page.wait_for_function(SOUGHT, arg=round(utterance.start_s, 2))
    expect(page.locator(f"#u-{utterance.position}")).to_have_class(re.compile("sought"))
    expect(page.locator(f"#u-{utterance.position}")).to_be_in_viewport()
    page.screenshot(path=artifacts / "search-hit-call.png")


def test_an_agent_finds_nothing_in_others_calls(page: Page, sign_in, site):
    sign_in("other_agent")
    page.goto("/my/calls")
    with site.sessions()() as session:
        text = session.scalar(select(Utterance.text).where(
            Utterance.call_id == site.recorded_call).order_by(Utterance.position))
    page.fill("#search-q", " ".join(re.findall(r"\w+", text)[:2]))
    with page.expect_navigation():
        page.click("#search-submit")
    expect(page.locator(f'li.search-hit[data-call-id="{site.recorded_call}"]')).to_have_count(0)


def test_polish_formats_in_a_polish_session(page: Page, sign_in, site, artifacts):
    sign_in("supervisor")
    page.goto("/calls")
    with page.expect_navigation():
        page.click('#language-form button[value="pl"]')
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    started = page.locator("#calls-table tr.call-row td").filter(
        has_text=re.compile(r"^\s*\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}\s*$"))
    expect(started.first).to_be_visible()
    scores = page.locator("#calls-table .score").all_inner_texts()
    assert scores and all(re.fullmatch(r"\d+,\d", s.strip()) for s in scores), scores
    page.screenshot(path=artifacts / "list-polish.png", full_page=True)
    with page.expect_navigation():  # the choice is the user's: later tests sign in as them
        page.click('#language-form button[value="en"]')
    expect(page.locator("html")).to_have_attribute("lang", "en")

"""A Polish session in Chromium: dates as 02.11.2026, durations and moments with a decimal
comma (call list, call page, the playing clock, search hits), the date filter typed the Polish
way (ISO dates in links keep working); and the header, the call list, the call page and the
dashboard at 800 px without horizontal overflow (the links folded into a menu), the call list
readable at 390 px. Screenshots go to the artifacts folder."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

POLISH_CLOCK = re.compile(r"^\d{2}:\d{2},\d$")
DOTTED_CLOCK = re.compile(r"\d{2}:\d{2}\.\d")
NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
METADATA_LOADED = "() => document.querySelector('#player').readyState >= 1"


def _language(page: Page, code: str) -> None:
    with page.expect_navigation():
        page.click(f'#language-form button[value="{code}"]')
    expect(page.locator("html")).to_have_attribute("lang", code)


@pytest.fixture
def polish(page: Page, sign_in) -> Iterator:
    """Signed in as `username` in Polish; English again afterwards (the choice is the user's,
    and later tests sign in as the same users)."""
    chosen: list[Page] = []

    def signed_in(username: str) -> Page:
        sign_in(username)
        page.goto("/calls")
        _language(page, "pl")
        chosen.append(page)
        return page
    yield signed_in
    for signed in chosen:
        signed.goto("/calls")
        _language(signed, "en")


def _row_ids(page: Page) -> list[str]:
    return page.locator("#calls-table tr.call-row").evaluate_all(
        "rows => rows.map(row => row.dataset.callId)")


def test_durations_and_moments_have_a_decimal_comma(page: Page, polish, site, artifacts):
    polish("supervisor")
    durations = page.locator("#calls-table tr.call-row td:nth-child(7)").all_inner_texts()
    shown = [d.strip() for d in durations if d.strip() != "-"]
    assert shown and all(POLISH_CLOCK.match(d) for d in shown), shown

    page.goto(f"/calls/{site.recorded_call}")
    page.wait_for_function(METADATA_LOADED)
    facts = page.locator(".call-head .facts dd").all_inner_texts()
    assert any(POLISH_CLOCK.match(f.strip()) for f in facts), facts
    times = page.locator(".transcript time").all_inner_texts()
    assert times and all(POLISH_CLOCK.match(t.strip()) for t in times), times
    expect(page.locator("#clock-now")).to_have_text("00:00,0")
    body = page.locator("main").inner_text()
    assert not DOTTED_CLOCK.search(body), DOTTED_CLOCK.findall(body)
    # the playing clock, written by the page's script, uses the same sign
    svg = page.locator("#timeline-svg")
    box = svg.bounding_box()
    svg.click(position={"x": box["width"] * 0.5, "y": box["height"] / 2})
    page.wait_for_function("() => document.querySelector('#player').currentTime > 1")
    page.locator("#player").evaluate("p => p.pause()")
    expect(page.locator("#clock-now")).to_have_text(POLISH_CLOCK)
    if page.locator("#comment-at-now").count():
        page.click("#comment-at-now")
        assert POLISH_CLOCK.match(page.locator("#comment-at").input_value())
    page.screenshot(path=artifacts / "polish-call-page.png", full_page=True)

    first_words = page.locator(".transcript .text").first.inner_text().split()[:2]
    page.goto("/calls")
    page.fill("#search-q", " ".join(first_words))
    with page.expect_navigation():
        page.click("#search-submit")
    hits = page.locator("a.search-hit-link").all_inner_texts()
    assert hits and all(re.search(r", \d{2}:\d{2},\d$", h.strip()) for h in hits), hits


def test_the_date_filter_shows_and_reads_polish_dates(page: Page, polish, artifacts):
    polish("supervisor")
    field = page.locator("#filter-date-from")
    assert field.get_attribute("type") == "text"  # a native one follows the browser's locale
    assert field.get_attribute("placeholder") == "dd.mm.rrrr"
    page.fill("#filter-date-from", "08.11.2026")
    page.fill("#filter-date-to", "08.11.2026")
    with page.expect_navigation():
        page.click("#filter-submit")
    typed = _row_ids(page)
    expect(page.locator("#filter-date-from")).to_have_value("08.11.2026")
    expect(page.locator("#filter-date-to")).to_have_value("08.11.2026")
    started = page.locator("#calls-table tr.call-row td:nth-child(2)").all_inner_texts()
    assert typed and all(s.strip().startswith("08.11.2026") for s in started), started
    # the export of what is shown reads the same dates
    export = page.request.get(page.locator("#export-csv").get_attribute("href"))
    assert len(export.text().strip().splitlines()) == 1 + len(typed)
    page.screenshot(path=artifacts / "polish-date-filter.png", full_page=True)
    page.goto("/calls?date_from=2026-11-08&date_to=2026-11-08")
    assert _row_ids(page) == typed
    expect(page.locator("#filter-date-from")).to_have_value("08.11.2026")
    # a day that is no date is said so, and the list is not narrowed by it
    page.goto("/calls?date_from=31.02.2026")
    expect(page.locator("main")).to_contain_text("31.02.2026")
    expect(page.locator("#filter-date-from")).to_have_value("")


WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"""


def _no_overflow(page: Page, artifacts, name: str) -> None:
    page.screenshot(path=artifacts / f"{name}.png", full_page=True)
    assert page.evaluate(NO_OVERFLOW), (name, page.evaluate(WIDTHS), page.evaluate(WIDEST))


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_header_and_pages_fit_800_px(page: Page, sign_in, polish, site, artifacts,
                                         language):
    if language == "pl":
        polish("admin")  # the admin's header has the most links
    else:
        sign_in("admin")
    page.set_viewport_size({"width": 800, "height": 900})
    for name, path in (("calls", "/calls"), ("call", f"/calls/{site.recorded_call}"),
                       ("dashboard", "/dashboard")):
        page.goto(path)
        header = page.locator("header.top").bounding_box()
        assert header["height"] < 110, (path, header)  # one or two rows, not a stack
        expect(page.locator("#nav-calls")).to_be_hidden()  # folded into the menu
        _no_overflow(page, artifacts, f"layout-800-{language}-{name}")
    page.click("#nav-menu")
    expect(page.locator("#nav-workers")).to_be_visible()
    _no_overflow(page, artifacts, f"layout-800-{language}-menu")
    with page.expect_navigation():
        page.click("#nav-calls")
    assert page.url.endswith("/calls")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/calls")
    _no_overflow(page, artifacts, f"layout-390-{language}-calls")
    expect(page.locator("#calls-table")).to_be_visible()

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/calls")
    expect(page.locator("#nav-calls")).to_be_visible()  # wide: the links in a row
    expect(page.locator("#nav-menu")).to_be_hidden()

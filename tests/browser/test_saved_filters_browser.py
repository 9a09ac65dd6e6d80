"""Saved filters in a real browser: a supervisor filters the call list, saves the filters under
a name, opens the list afresh (every call) and applies the saved filter with one click."""
from __future__ import annotations

from playwright.sync_api import Page, expect


def _rows(page: Page) -> dict[int, str]:
    """The listed calls: id: language."""
    return {int(i): language for i, language in page.locator("#calls-table tr.call-row")
            .evaluate_all("rows => rows.map(row => [row.dataset.callId,"
                          " row.querySelector('[data-language]').dataset.language])")}


def test_save_a_filter_and_apply_it_in_one_click(page: Page, sign_in, site, artifacts):
    sign_in("spare")  # a supervisor given no team, whom no other browser test signs in as
    page.goto("/calls")
    every = _rows(page)
    polish = {call for call, language in every.items() if language == "pl"}
    assert polish and polish != set(every)
    page.select_option("#filter-language", "pl")
    with page.expect_navigation():
        page.click("#filter-submit")
    assert set(_rows(page)) == polish
    page.fill("#save-filter-name", "Polish calls")
    with page.expect_navigation():
        page.click("#save-filter-submit")
    expect(page.locator(".flash.ok")).to_contain_text("Polish calls")

    page.goto("/calls")  # afresh: no filter, no default
    assert _rows(page) == every
    link = page.locator("a.saved-filter-link", has_text="Polish calls")
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()
    expect(page.locator("#filter-language")).to_have_value("pl")
    assert set(_rows(page)) == polish
    expect(page.locator("a.saved-filter-link", has_text="Polish calls")).to_have_attribute(
        "aria-current", "true")
    page.screenshot(path=artifacts / "saved-filters.png", full_page=True)

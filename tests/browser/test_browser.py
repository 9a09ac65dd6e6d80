"""The review UI in a real browser: signing in and out, filtering the list, the recording
seeking to a piece of evidence, overriding an item, and what an agent may open."""
from __future__ import annotations

import re

from playwright.sync_api import Page, Response, expect
from sqlalchemy import select

from callqa.models import Agent, Call, CallStatus

# Functions, not expressions: Playwright evaluates an expression with eval(), which the
# page's Content-Security-Policy forbids.
METADATA_LOADED = "() => document.querySelector('#player').readyState >= 1"
SOUGHT = """target => {
  const player = document.querySelector('#player');
  return !player.seeking && player.currentTime >= target - 0.3 && player.currentTime < target + 3;
}"""
SCROLLED = """() => new Promise(done => {  // the smooth scroll to the utterance has ended
  let last = -1;
  const check = () => window.scrollY === last ? done()
    : (last = window.scrollY, requestAnimationFrame(() => requestAnimationFrame(check)));
  check();
})"""


def row_ids(page: Page) -> list[int]:
    return [int(i) for i in page.locator("#calls-table tr.call-row").evaluate_all(
        "rows => rows.map(row => row.dataset.callId)")]


def test_supervisor_filters_the_list(page: Page, sign_in, site, artifacts):
    sign_in("supervisor")
    expect(page).to_have_url(re.compile(r"/calls$"))
    with site.sessions()() as session:
        every = set(session.scalars(select(Call.id)))
        john = session.scalars(select(Agent).where(Agent.external_id == "A11")).one()
        wanted = set(session.scalars(select(Call.id).where(
            Call.agent_id == john.id, Call.status == CallStatus.DONE)))
    assert set(row_ids(page)) == every
    page.screenshot(path=artifacts / "list.png", full_page=True)

    page.select_option("#filter-agent", str(john.id))
    page.select_option("#filter-status", "done")
    with page.expect_navigation():
        page.click("#filter-submit")
    assert 0 < len(wanted) < len(every)
    assert sorted(row_ids(page)) == sorted(wanted)
    for row in page.locator("#calls-table tr.call-row").all():
        expect(row).to_contain_text("John Carter")
        assert row.get_attribute("data-status") == "done"
    expect(page.locator("#filter-agent")).to_have_value(str(john.id))  # the form keeps them
    page.screenshot(path=artifacts / "list-filtered.png", full_page=True)


def test_evidence_link_seeks_the_recording(page: Page, sign_in, site, artifacts):
    audio: list[Response] = []
    page.on("response", lambda r: audio.append(r) if r.url.endswith("/audio") else None)
    sign_in("supervisor")
    with page.expect_navigation():
        page.click(f'tr.call-row[data-call-id="{site.recorded_call}"] a.call-link')
    expect(page.locator("#call")).to_have_attribute("data-call-id", str(site.recorded_call))
    expect(page.locator(".utterance").first).to_be_visible()
    page.wait_for_function(METADATA_LOADED)
    player = page.locator("#player")
    assert abs(player.evaluate("p => p.duration") - 35.3) < 0.5
    page.screenshot(path=artifacts / "call.png", full_page=True)

    links = page.locator(".evidence-link")
    seeks = [float(s) for s in links.evaluate_all("a => a.map(link => link.dataset.seek)")]
    latest = max(range(len(seeks)), key=seeks.__getitem__)
    target = seeks[latest]
    assert target > 5, seeks  # far from where the player starts
    links.nth(latest).click()
    page.wait_for_function(SOUGHT, arg=target)
    assert player.evaluate("p => p.error") is None
    player.evaluate("p => p.pause()")

    ranged = [r for r in audio if r.status == 206]
    assert ranged, [(r.status, r.url) for r in audio]
    assert ranged[0].request.headers.get("range", "").startswith("bytes=")
    assert ranged[0].headers["content-range"].startswith("bytes ")
    page.evaluate(SCROLLED)
    page.screenshot(path=artifacts / "call-seek.png")  # what one sees after the click


def test_override_needs_a_comment_and_changes_the_score(page: Page, sign_in, site):
    sign_in("supervisor")
    page.goto(f"/calls/{site.recorded_call}")
    # an item the machine did not pass: failed, or in review where it could not hear well
    item = page.locator("article.item[data-verdict='failed'], "
                        "article.item[data-verdict='review']").first
    item_id, machine = item.get_attribute("data-item"), item.get_attribute("data-verdict")
    form = page.locator(f"#override-{item_id}")
    item = page.locator(f"#item-{item_id}")
    expect(form).to_be_hidden()  # the form opens only when changing
    page.locator(f"#change-{item_id} > summary").click()
    expect(form).to_be_visible()
    score = page.locator("#score")
    before = float(score.get_attribute("data-score"))

    form.locator("select[name=verdict]").select_option("passed")
    form.locator("button").first.click()  # no comment: the browser does not send the form
    assert form.locator("textarea").evaluate("t => t.validity.valueMissing")
    expect(item).to_have_attribute("data-verdict", machine)

    form.locator("textarea").evaluate("t => t.removeAttribute('required')")
    with page.expect_navigation():
        form.locator("button").first.click()  # sent anyway: the server refuses it
    expect(page.locator(".flash.error")).to_be_visible()
    expect(item).to_have_attribute("data-verdict", machine)
    expect(score).to_have_attribute("data-score", str(before))

    page.locator(f"#change-{item_id} > summary").click()
    form.locator("select[name=verdict]").select_option("passed")
    form.locator("textarea").fill("The agent did offer more help, in other words.")
    with page.expect_navigation():
        form.locator("button").first.click()
    expect(page.locator(".flash.ok")).to_be_visible()
    expect(item).to_have_attribute("data-verdict", "passed")
    after = float(score.get_attribute("data-score"))
    # a failed item passed raises the score; a review item passed now counts (the score was
    # over the decided items only, so it cannot fall)
    assert after > before if machine == "failed" else after >= before
    expect(page.locator(f"#history-{item_id} .override-row")).to_contain_text(
        "in other words")


def test_sign_out_ends_the_session(page: Page, sign_in):
    sign_in("supervisor")
    with page.expect_navigation():
        page.click("#logout")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#current-user")).to_have_count(0)
    page.goto("/calls")
    expect(page).to_have_url(re.compile(r"/login\?next=(%2F|/)calls$"))
    expect(page.locator("#login-form")).to_be_visible()


def test_agent_opens_own_calls_only(page: Page, sign_in, site, artifacts):
    sign_in("agent")  # John Carter
    expect(page).to_have_url(re.compile(r"/my/calls$"))
    page.screenshot(path=artifacts / "my-calls.png", full_page=True)

    other = page.goto(f"/calls/{site.world.other_call}")
    assert other.status == 404
    expect(page.locator("#error")).to_have_attribute("data-code", "404")
    other_audio = page.request.get(f"/calls/{site.world.audio['cpl004']}/audio")
    assert other_audio.status == 404

    own = page.goto(f"/calls/{site.recorded_call}")
    assert own.status == 200
    expect(page.locator("#call")).to_have_attribute("data-call-id", str(site.recorded_call))
    page.wait_for_function(METADATA_LOADED)
    expect(page.locator(".override-form")).to_have_count(0)


CHARTS = ("chart-score-trend", "chart-item-pass", "chart-fcr-agent", "chart-fcr-queue")


def test_dashboard_draws_its_charts(page: Page, sign_in, artifacts):
    """Plotly.js under the page's CSP: every chart drawn, and (by the `page` fixture) no
    console error, such as a refused inline style."""
    sign_in("supervisor")
    page.goto("/dashboard?date_from=2026-11-01&date_to=2026-11-30")  # the samples' month
    for chart in CHARTS:  # Plotly marks the element it draws in with .js-plotly-plot
        expect(page.locator(f"#{chart}.js-plotly-plot .main-svg").first).to_be_visible()
        expect(page.locator(f"#{chart} .cartesianlayer g.trace").first).to_be_attached()  # data
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)


def test_agent_may_not_open_the_dashboard(page: Page, sign_in):
    sign_in("agent")
    response = page.goto("/dashboard")
    assert response.status == 403
    expect(page.locator("#error")).to_have_attribute("data-code", "403")

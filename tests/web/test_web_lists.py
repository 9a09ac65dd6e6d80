"""The supervisors' call list (server-side filters, sort, pages) and an agent's "my calls"."""
from __future__ import annotations

import re

from webtools import session_browser

from callqa.models import Agent, Call, Queue


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="call-row" data-call-id="(\d+)"', html)]


def _list(browser, query: str = "") -> list[int]:
    response = browser.get(f"/calls{query}")
    assert response.status_code == 200
    return _ids(response.get_data(as_text=True))


def test_filters(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    everything = set(world.calls.values()) | set(world.audio.values())
    assert set(_list(supervisor)) == everything
    carter = session.query(Agent).filter_by(external_id="A11").one().id
    card = session.query(Queue).filter_by(name="card").one().id
    own = {world.calls["cen025"], world.calls["cen028"], world.audio["cen025"],
           world.audio["cen028"]}
    assert set(_list(supervisor, f"?agent_id={carter}")) == own
    assert set(_list(supervisor, f"?queue_id={card}")) == {world.calls["cen025"],
                                                           world.audio["cen025"]}
    assert set(_list(supervisor, "?language=pl")) == {world.calls["cpl004"], world.calls["cpl005"],
                                                      world.audio["cpl004"], world.audio["cpl005"]}
    assert set(_list(supervisor, "?date_from=2026-11-08&date_to=2026-11-08")) == {
        world.calls["cpl004"], world.audio["cpl004"]}
    assert set(_list(supervisor, "?score_max=80")) == {world.calls["cpl004"],  # 75
                                                       world.calls["cen028"]}
    assert set(_list(supervisor, "?score_min=80&score_max=100")) == {world.calls["cen025"],
                                                                     world.calls["cpl005"]}
    assert set(_list(supervisor, "?failed_item=anything_else")) == {world.calls["cpl004"],
                                                                    world.calls["cen028"]}
    assert set(_list(supervisor, "?status=queued")) == set(world.audio.values())
    assert set(_list(supervisor, "?fcr_status=fcr")) == set(world.calls.values())
    assert _list(supervisor, "?fcr_status=not_fcr") == []
    assert set(_list(supervisor, "?score_min=oops&agent_id=x")) == everything  # ignored
    assert _list(supervisor, "?pending_review=1") == []
    session.get(Call, world.calls["cpl004"]).score.needs_review = True  # an item in review
    session.commit()
    assert set(_list(supervisor, "?pending_review=1")) == {world.calls["cpl004"]}
    assert set(_list(supervisor, "?pending_review=0")) == set(world.calls.values()) - {
        world.calls["cpl004"]}


def test_sort_and_pages(app, world):
    supervisor = session_browser(app, world.users["supervisor"])
    by_score = _list(supervisor, "?sort=score&descending=0&status=done")
    assert by_score[:2] == sorted([world.calls["cpl004"], world.calls["cen028"]])  # 85.7 first
    by_score = _list(supervisor, "?sort=score&descending=1&status=done")
    assert by_score[2:] == sorted([world.calls["cpl004"], world.calls["cen028"]], reverse=True)
    html = supervisor.get("/calls?sort=score&descending=0").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html
    assert "sort=score&amp;descending=1" in html  # clicking again flips the direction
    first = supervisor.get("/calls?per_page=3").get_data(as_text=True)
    assert len(_ids(first)) == 3
    assert 'data-page="1" data-pages="3" data-total="8"' in first and 'id="page-next"' in first
    pages = [_list(supervisor, f"?per_page=3&page={n}") for n in (1, 2, 3)]
    assert sorted(sum(pages, [])) == sorted(set(world.calls.values()) | set(world.audio.values()))
    last = supervisor.get("/calls?per_page=3&page=3").get_data(as_text=True)
    assert 'id="page-next"' not in last and 'id="page-prev"' in last


def test_my_calls_are_only_the_agents_own(app, world):
    agent = session_browser(app, world.users["agent"])
    html = agent.get("/my/calls").get_data(as_text=True)
    assert set(_ids(html)) == {world.calls["cen025"], world.calls["cen028"],
                               world.audio["cen025"], world.audio["cen028"]}
    assert "Greet the customer." in html and "Nice work." not in html
    assert set(_ids(agent.get("/my/calls?agent_id=1&agent_id=2").get_data(as_text=True))) == set(
        _ids(html))  # a filter cannot widen it
    unlinked = session_browser(app, world.users["unlinked"])
    html = unlinked.get("/my/calls").get_data(as_text=True)
    assert _ids(html) == [] and 'id="not-linked"' in html

"""The call list's customer column and scores shown against the pass mark
(CALLQA_PASS_MARK)."""
from __future__ import annotations

import re
from dataclasses import replace

from webtools import dispose, make_app, session_browser

from callqa.models import Call
from callqa.settings import load_settings


def _row(page: str, call_id: int) -> str:
    row = page[page.index(f'data-call-id="{call_id}"'):]
    return row[:row.index("</tr>")]


def test_the_customer_and_the_score_against_the_pass_mark(app, world, session):
    call = session.get(Call, world.own_call)
    call.customer_name = "Zofia Wiśniewska"
    session.commit()
    supervisor = session_browser(app, world.users["supervisor"])
    page = supervisor.get("/calls").get_data(as_text=True)
    row = _row(page, call.id)
    assert '<td class="customer">Zofia Wiśniewska</td>' in row
    mark = app.config["CALLQA_SETTINGS"].pass_mark
    expected = "at-pass-mark" if call.score.score >= mark else "below-pass-mark"
    assert re.search(rf'class="score {expected}" data-score="{call.score.score}" '
                     rf'data-pass-mark="{mark}"', row)
    assert f">/{mark:.0f}</small>" in row


def test_the_pass_mark_comes_from_the_configuration(world, settings):
    assert load_settings({"CALLQA_PASS_MARK": "95"}).pass_mark == 95.0
    app = make_app(replace(settings, pass_mark=101.0))  # no call reaches it
    try:
        page = session_browser(app, world.users["supervisor"]).get("/calls").get_data(
            as_text=True)
        assert 'data-pass-mark="101.0"' in page and "at-pass-mark" not in page
    finally:
        dispose(app)

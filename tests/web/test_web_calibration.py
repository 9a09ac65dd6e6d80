"""Calibration sessions through the web: the lead (admin) picks John Carter's two calls
(cen025, cen028) and two reviewers (supervisor, spare); each scores blind, so until they submit
no route shows them the calls' verdicts; then the comparison shows every verdict and the
machine's, the lead records the agreed ones and the figures follow, on an example worked by
hand."""
from __future__ import annotations

import re

import pytest
from calibrationtools import FAILED, ITEMS, MACHINE_FAILED, verdicts
from webtools import add_teams, session_browser

from callqa.models import CalibrationStatus, CalibrationVerdict
from callqa.queries.calibration import comparison, find_session


def _create(app, world, reviewers=("supervisor", "spare"), calls=("cen025", "cen028")):
    lead = session_browser(app, world.users["admin"])
    response = lead.post("/calibration", data={
        "name": "November", "call_id": [str(world.calls[c]) for c in calls],
        "reviewer_id": [str(world.users[r]) for r in reviewers]})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return lead, int(response.location.rsplit("/", 1)[1])


def _verdicts(world, reviewer: str) -> dict[str, str]:
    return {f"v-{world.calls[call]}-{item}": verdict
            for (call, item), verdict in verdicts(FAILED[reviewer]).items()}


def _blind_routes(world) -> list[tuple[str, str]]:
    call = world.own_call  # cen025
    return [("GET", f"/calls/{call}"), ("GET", f"/calls/{call}/items/greeting/window.wav"),
            ("POST", f"/calls/{call}/items/greeting/override"),
            ("POST", f"/calls/{call}/items/greeting/decide"),
            ("POST", f"/calls/{call}/reviewed"), ("POST", f"/calls/{call}/feedback"),
            ("POST", f"/calls/{call}/assign"), ("POST", f"/calls/{call}/coaching"),
            ("GET", f"/calls/{world.calls['cen028']}")]


def _listed(browser, world) -> dict[str, bool]:
    """Whether cen025 / cen028 show up on each list the reviewer has."""
    ids = {world.calls["cen025"], world.calls["cen028"]}
    found = {}
    for path in ("/calls?per_page=100", "/calls.csv", "/disputes", "/my/reviews"):
        text = browser.get(path).get_data(as_text=True)
        numbers = {int(n) for n in re.findall(r'data-call-id="(\d+)"', text)}
        if path == "/calls.csv":
            numbers = {int(line.split(",")[0]) for line in text.splitlines()[1:]}
        found[path] = bool(numbers & ids)
    return found


def test_a_reviewer_scores_blind_on_every_route_until_they_submit(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    supervisor.post(f"/calls/{world.own_call}/assign",  # in "My reviews" before the session
                    data={"reviewer_id": world.users["supervisor"], "due": "2099-01-01"})
    assert all(_listed(supervisor, world).values())
    _, session_id = _create(app, world)

    for method, path in _blind_routes(world):
        response = supervisor.get(path) if method == "GET" else supervisor.post(path, data={
            "verdict": "passed", "comment": "x", "text": "x", "reviewed": "1",
            "reviewer_id": world.users["spare"], "due": "2099-01-01"})
        assert response.status_code == 403, (method, path)
    assert not any(_listed(supervisor, world).values())
    page = supervisor.get(f"/calibration/{session_id}").get_data(as_text=True)
    assert 'id="calibration-score"' in page and 'id="comparison"' not in page
    assert "data-verdict" not in page and "verdict-passed" not in page  # nobody's verdicts
    assert "<mark>" not in page  # nor the machine's evidence in the transcript

    spare = session_browser(app, world.users["spare"])
    assert spare.post(f"/calibration/{session_id}/submit",
                      data=_verdicts(world, "spare")).status_code == 303
    assert supervisor.get(f"/calls/{world.own_call}").status_code == 403  # still blind
    assert 'data-reviewer="spare"' not in supervisor.get(
        f"/calibration/{session_id}").get_data(as_text=True)

    assert supervisor.post(f"/calibration/{session_id}/submit",
                           data=_verdicts(world, "supervisor")).status_code == 303
    assert supervisor.get(f"/calls/{world.own_call}").status_code == 200
    assert all(_listed(supervisor, world).values())
    compare = supervisor.get(f"/calibration/{session_id}").get_data(as_text=True)
    assert 'id="comparison"' in compare and 'data-reviewer="spare"' in compare
    assert 'id="agreed-form"' in compare and 'id="save-agreed"' not in compare  # not the lead


def test_another_session_of_a_blind_call_shows_no_verdicts_either(app, world):
    """The admin leads a session of cen025 and scores it in a second one: until they submit
    there, the first one's comparison (everyone's and the machine's verdicts) is 403 too."""
    lead, first = _create(app, world, calls=("cen025",))
    supervisor = session_browser(app, world.users["supervisor"])
    supervisor.post(f"/calibration/{first}/submit", data={
        f"v-{world.own_call}-{item}": "passed" for item in ITEMS})
    _, second = _create(app, world, reviewers=("admin", "spare"), calls=("cen025",))
    assert lead.get(f"/calibration/{first}").status_code == 403
    assert lead.post(f"/calibration/{first}/agreed", data={}).status_code == 403
    assert 'id="calibration-score"' in lead.get(f"/calibration/{second}").get_data(as_text=True)
    lead.post(f"/calibration/{second}/submit", data={
        f"v-{world.own_call}-{item}": "passed" for item in ITEMS})
    assert lead.get(f"/calibration/{first}").status_code == 200


def test_an_incomplete_submission_is_refused_and_keeps_the_choices(app, world, session):
    _, session_id = _create(app, world)
    supervisor = session_browser(app, world.users["supervisor"])
    partial = dict(list(_verdicts(world, "supervisor").items())[:5])
    response = supervisor.post(f"/calibration/{session_id}/submit", data=partial)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Give a verdict on every item of every call." in page
    assert page.count("checked") == 5
    assert session.query(CalibrationVerdict).count() == 0
    bad = {**_verdicts(world, "supervisor"), f"v-{world.own_call}-greeting": "review"}
    assert supervisor.post(f"/calibration/{session_id}/submit", data=bad).status_code == 400


def test_the_figures_on_a_session_worked_by_hand(app, world, session):
    """14 subjects (7 items of 2 calls), verdicts as in FAILED; agreed: what the machine said.

    Kappa over the 2 reviewers: they disagree on 2 subjects, so mean P_i = 12/14; 8 of the 28
    ratings are failed: chance = (2/7)² + (5/7)² = 29/49; kappa = (6/7 - 29/49) / (20/49) =
    13/20. With the machine as a third grader: P_i = 1/3 on those 2 subjects, 1 on the other
    12, so mean 19/21; 11 of 42 ratings failed: chance = (121 + 961) / 1764 = 541/882;
    kappa = (19/21 - 541/882) / (341/882) = 257/341.
    Each reviewer matches 13 of the 14 agreed verdicts; the machine all 14. On thanks, the
    reviewers match 3 of 4 and kappa over its 2 subjects is (1/2 - 5/8) / (3/8) = -1/3; on
    anything_else both fail cen028 and pass cen025: kappa 1; greeting: all passed, undefined."""
    lead, session_id = _create(app, world)
    for reviewer in ("supervisor", "spare"):
        browser = session_browser(app, world.users[reviewer])
        assert browser.post(f"/calibration/{session_id}/submit",
                            data=_verdicts(world, reviewer)).status_code == 303
    agreed = {f"a-{world.calls[call]}-{item}": verdict
              for (call, item), verdict in verdicts(MACHINE_FAILED).items()}
    response = lead.post(f"/calibration/{session_id}/agreed", data=agreed)
    assert response.status_code == 303
    page = lead.get(f"/calibration/{session_id}").get_data(as_text=True)
    assert "Agreed verdicts recorded: 14." in page

    found = comparison(session, find_session(session, session_id))
    assert found.kappa == pytest.approx(13 / 20)
    assert found.kappa_with_machine == pytest.approx(257 / 341)
    assert [(r.user.username, r.agreement.matched, r.agreement.compared)
            for r in found.per_reviewer] == [("supervisor", 13, 14), ("spare", 13, 14)]
    assert (found.agreement.matched, found.agreement.compared) == (26, 28)
    assert found.machine_agreement.rate == 1.0
    items = {i.item_id: i for i in found.items}
    assert (items["thanks"].agreement.matched, items["thanks"].agreement.compared) == (3, 4)
    assert items["thanks"].kappa == pytest.approx(-1 / 3)
    assert items["anything_else"].kappa == pytest.approx(1.0)
    assert items["greeting"].kappa is None
    # the page shows the same figures
    assert 'id="kappa" data-value="0.6500"' in page
    assert f'id="kappa-machine" data-value="{257 / 341:.4f}"' in page
    assert 'data-item="thanks" data-rate="0.7500" data-kappa="-0.3333"' in page

    assert lead.post(f"/calibration/{session_id}/close").status_code == 303
    session.expire_all()
    assert find_session(session, session_id).status == CalibrationStatus.CLOSED
    history = lead.get("/calibration").get_data(as_text=True)
    assert f'data-session-id="{session_id}" data-kappa="0.6500"' in history
    again = lead.post(f"/calibration/{session_id}/agreed", data=agreed)
    assert "The session is closed." in lead.get(again.location).get_data(as_text=True)


def test_only_the_lead_records_agreed_verdicts(app, world, session):
    _, session_id = _create(app, world, reviewers=("supervisor", "spare"))
    spare = session_browser(app, world.users["spare"])
    spare.post(f"/calibration/{session_id}/submit", data=_verdicts(world, "spare"))
    assert spare.post(f"/calibration/{session_id}/agreed", data={}).status_code == 403
    assert spare.post(f"/calibration/{session_id}/close").status_code == 403


def test_a_bad_session_is_refused_with_a_message(app, world):
    lead = session_browser(app, world.users["admin"])
    for data, message in [({"name": "x", "call_id": str(world.own_call),
                            "reviewer_id": str(world.users["spare"])},
                           "Pick at least two reviewers."),
                          ({"name": "x", "reviewer_id": [str(world.users["spare"]),
                                                         str(world.users["supervisor"])]},
                           "Pick 1 to 50 calls."),
                          ({"name": " ", "call_id": str(world.own_call)},
                           "Name the session"),
                          ({"name": "x", "call_id": str(world.audio["cen025"]),
                            "reviewer_id": [str(world.users["spare"]),
                                            str(world.users["supervisor"])]},
                           "Pick scored calls only."),
                          ({"name": "x", "call_id": str(world.own_call),
                            "reviewer_id": [str(world.users["spare"]),
                                            str(world.users["agent"])]},
                           "Reviewers are active supervisors or admins.")]:
        response = lead.post("/calibration", data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_team_supervisor_sees_only_sessions_of_their_teams_calls(app, world):
    add_teams(app, world)
    _, north = _create(app, world)  # John Carter's calls: team North
    _, mixed = _create(app, world, calls=("cen025", "cpl004"))
    team = session_browser(app, world.users["team_supervisor"])
    assert team.get(f"/calibration/{north}").status_code == 200
    assert team.get(f"/calibration/{mixed}").status_code == 404
    listed = {int(n) for n in re.findall(r'data-session-id="(\d+)"',
                                         team.get("/calibration").get_data(as_text=True))}
    assert listed == {north}
    response = team.post("/calibration", data={
        "name": "x", "call_id": str(world.other_call),
        "reviewer_id": [str(world.users["spare"]), str(world.users["supervisor"])]})
    assert response.status_code == 404

"""The access matrix: every route for every role, and CSRF on every form.

The agent is John Carter (A11): "own" calls are his; "other" calls are another agent's
(A02). An agent asking for another agent's call, its audio or its feedback gets 404 on every
route; a role that may not use a route gets 403; nobody signed in is sent to the login page.
A supervisor given team North (John Carter alone) gets 404 for the other agent's calls on every
route, as an agent does; the supervisor given no team sees every call, like an admin.
Expected statuses do not depend on the order the cases run in (a repeated decision is refused
with a message and the same redirect), so one database serves the whole module.
"""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select
from webtools import (
    SAMPLES,
    add_calibration,
    add_saved_filters,
    add_teams,
    build_world,
    dispose,
    make_app,
    session_browser,
)

from callqa.models import (
    CalibrationAgreed,
    CalibrationSession,
    CalibrationVerdict,
    CallComment,
    CallReview,
    CoachingNote,
    Dispute,
    Feedback,
    ItemOverride,
    ReviewAssignment,
    SavedFilter,
    Team,
    TeamMember,
    TeamSupervisor,
    User,
)
from callqa.settings import Settings

ROLES = ("anonymous", "agent", "unlinked", "supervisor", "team_supervisor", "admin")
OVERRIDE = {"verdict": "failed", "comment": "matrix check"}
DISPUTE = {"verdict": "not_applicable", "comment": "matrix check"}

# method, path, then the status for: anonymous, agent, unlinked agent, supervisor (given no
# team), the supervisor of team North (John Carter alone), admin
MATRIX = [
    ("GET", "/", 302, 302, 302, 302, 302, 302),
    ("GET", "/login", 200, 200, 200, 200, 200, 200),
    ("POST", "/language", 303, 303, 303, 303, 303, 303),
    ("GET", "/calls", 302, 403, 403, 200, 200, 200),
    ("GET", "/calls?agent_id=1&date_from=2026-11-01&date_to=2026-11-30&queue_id=1&language=en"
            "&score_min=10&score_max=100&failed_item=greeting&fcr_status=fcr&reviewed=0"
            "&status=done&sort=score&descending=0&page=1", 302, 403, 403, 200, 200, 200),
    ("GET", "/calls.csv", 302, 403, 403, 200, 200, 200),
    ("GET", "/calls.csv?agent_id=1&failed_item=greeting&reviewed=1&sort=agent", 302, 403, 403,
     200, 200, 200),
    ("GET", "/calls/{own_call}", 302, 200, 404, 200, 200, 200),
    ("GET", "/calls/{other_call}", 302, 404, 404, 200, 404, 200),
    ("GET", "/calls/{own_recording}", 302, 200, 404, 200, 200, 200),
    ("GET", "/calls/{other_recording}", 302, 404, 404, 200, 404, 200),
    ("GET", "/calls/999999", 302, 404, 404, 404, 404, 404),
    ("GET", "/calls/{own_recording}/audio", 302, 200, 404, 200, 200, 200),
    ("GET", "/calls/{other_recording}/audio", 302, 404, 404, 200, 404, 200),
    # a transcript: no recording
    ("GET", "/calls/{own_call}/audio", 302, 404, 404, 404, 404, 404),
    ("GET", "/calls/999999/audio", 302, 404, 404, 404, 404, 404),
    ("POST", "/calls/{own_call}/items/greeting/override", 302, 403, 404, 303, 303, 303),
    ("POST", "/calls/{other_call}/items/greeting/override", 302, 404, 404, 303, 404, 303),
    ("POST", "/calls/{own_call}/items/no_such_item/override", 302, 403, 404, 404, 404, 404),
    ("POST", "/calls/{own_call}/reviewed", 302, 403, 404, 303, 303, 303),
    ("POST", "/calls/{other_call}/reviewed", 302, 404, 404, 303, 404, 303),
    ("POST", "/calls/{own_call}/feedback", 302, 403, 404, 303, 303, 303),
    ("POST", "/calls/{other_call}/feedback", 302, 404, 404, 303, 404, 303),
    # comments pinned to moments: supervisors write them on calls they see; the call's agent
    # reads them on the call page (above), nobody else's agent reaches them
    ("POST", "/calls/{own_call}/comments", 302, 403, 404, 303, 303, 303),
    ("POST", "/calls/{other_call}/comments", 302, 404, 404, 303, 404, 303),
    ("POST", "/calls/{other_recording}/comments", 302, 404, 404, 303, 404, 303),
    ("POST", "/calls/999999/comments", 302, 404, 404, 404, 404, 404),
    ("GET", "/my/calls", 302, 200, 200, 403, 403, 403),
    ("POST", "/feedback/{own_feedback}/acknowledge", 302, 303, 404, 403, 403, 403),
    ("POST", "/feedback/{other_feedback}/acknowledge", 302, 404, 404, 403, 404, 403),
    ("POST", "/feedback/999999/acknowledge", 302, 404, 404, 404, 404, 404),
    ("POST", "/calls/{own_call}/items/greeting/dispute", 302, 303, 404, 403, 403, 403),
    ("POST", "/calls/{other_call}/items/greeting/dispute", 302, 404, 404, 403, 404, 403),
    ("POST", "/calls/{other_recording}/items/greeting/dispute", 302, 404, 404, 403, 404, 403),
    ("GET", "/dashboard", 302, 403, 403, 200, 200, 200),
    ("GET", "/dashboard?date_from=2026-11-01&date_to=2026-11-30&agent_id=1&queue_id=1"
            "&period=day", 302, 403, 403, 200, 200, 200),
    ("GET", "/vendor/plotly.min.js", 200, 200, 200, 200, 200, 200),  # the public library
    ("GET", "/disputes", 302, 403, 403, 200, 200, 200),
    ("POST", "/disputes/{dispute}/accept", 302, 403, 403, 303, 303, 303),
    ("POST", "/disputes/{dispute}/reject", 302, 403, 403, 303, 303, 303),
    ("POST", "/disputes/999999/reject", 302, 403, 403, 404, 404, 404),
    ("POST", "/disputes/{other_dispute}/accept", 302, 403, 403, 303, 404, 303),
    ("POST", "/disputes/{other_dispute}/reject", 302, 403, 403, 303, 404, 303),
    ("GET", "/review-queue", 302, 403, 403, 200, 200, 200),
    ("GET", "/review-queue?item_id=greeting&agent_id=1&queue_id=1&page=2", 302, 403, 403, 200,
     200, 200),
    # a queued recording has no items yet, a transcript no recording: no window to play
    ("GET", "/calls/{own_recording}/items/greeting/window.wav", 302, 403, 404, 404, 404, 404),
    ("GET", "/calls/{other_recording}/items/greeting/window.wav", 302, 404, 404, 404, 404, 404),
    ("GET", "/calls/{own_call}/items/greeting/window.wav", 302, 403, 404, 404, 404, 404),
    ("POST", "/calls/{own_call}/items/greeting/decide", 302, 403, 404, 303, 303, 303),
    ("POST", "/calls/{other_call}/items/greeting/decide", 302, 404, 404, 303, 404, 303),
    ("POST", "/calls/{own_call}/items/no_such_item/decide", 302, 403, 404, 404, 404, 404),
    ("GET", "/upload", 302, 403, 403, 200, 200, 200),
    ("POST", "/upload", 302, 403, 403, 303, 303, 303),
    ("GET", "/admin/users", 302, 403, 403, 403, 403, 200),
    ("POST", "/admin/users", 302, 403, 403, 403, 403, 303),
    ("POST", "/admin/users/{spare}/active", 302, 403, 403, 403, 403, 303),
    ("POST", "/admin/users/{spare}/password", 302, 403, 403, 403, 403, 303),
    ("POST", "/admin/users/999999/password", 302, 403, 403, 403, 403, 404),
    ("GET", "/account/password", 302, 200, 200, 200, 200, 200),
    ("GET", "/search?q=dzie%C5%84+dobry&speaker=agent&page=2", 302, 200, 200, 200, 200, 200),
    ("GET", "/search", 302, 200, 200, 200, 200, 200),
    # the matrix does not know the current password: refused, nothing changes
    ("POST", "/account/password", 302, 400, 400, 400, 400, 400),
    ("POST", "/account/timezone", 302, 303, 303, 303, 303, 303),
    ("POST", "/admin/users/{spare_agent}/agent", 302, 403, 403, 403, 403, 303),
    ("GET", "/admin/scorecards", 302, 403, 403, 403, 403, 200),
    ("GET", "/admin/scorecards/{scorecard}", 302, 403, 403, 403, 403, 200),
    ("GET", "/admin/tokens", 302, 403, 403, 403, 403, 200),
    # teams: the admin's changes here leave team North as it is (A11 added again; the others
    # are refused with a message and the same redirect), so the order of the cases is free
    ("GET", "/admin/teams", 302, 403, 403, 403, 403, 200),
    ("POST", "/admin/teams", 302, 403, 403, 403, 403, 303),
    ("POST", "/admin/teams/{north}/agents", 302, 403, 403, 403, 403, 303),
    ("POST", "/admin/teams/{north}/agents/remove", 302, 403, 403, 403, 403, 303),
    ("POST", "/admin/teams/{north}/supervisors", 302, 403, 403, 403, 403, 303),
    ("POST", "/admin/teams/{north}/supervisors/remove", 302, 403, 403, 403, 403, 303),
    ("POST", "/admin/teams/999999/agents", 302, 403, 403, 403, 403, 404),
    # the QA program: assignments and "My reviews", coaching
    ("GET", "/my/reviews", 302, 403, 403, 200, 200, 200),
    ("POST", "/calls/{own_call}/assign", 302, 403, 404, 303, 303, 303),
    ("POST", "/calls/{other_call}/assign", 302, 404, 404, 303, 404, 303),
    ("POST", "/calls/999999/assign", 302, 404, 404, 404, 404, 404),
    ("POST", "/calls/{own_call}/coaching", 302, 403, 404, 303, 303, 303),
    ("POST", "/calls/{other_call}/coaching", 302, 404, 404, 303, 404, 303),
    ("GET", "/my/coaching", 302, 200, 200, 403, 403, 403),
    ("GET", "/agents/{own_agent}/coaching", 302, 403, 403, 200, 200, 200),
    ("GET", "/agents/{other_agent}/coaching", 302, 403, 403, 200, 404, 200),
    ("GET", "/agents/999999/coaching", 302, 403, 403, 404, 404, 404),
    ("POST", "/coaching/{own_coaching}/acknowledge", 302, 303, 404, 403, 403, 403),
    ("POST", "/coaching/{other_coaching}/acknowledge", 302, 404, 404, 403, 404, 403),
    ("POST", "/coaching/999999/acknowledge", 302, 404, 404, 404, 404, 404),
    # calibration: the supervisor and the admin score the session's call (cpl005, in no team)
    # blind, so submitting nothing is refused (400); spare leads it
    ("GET", "/calibration", 302, 403, 403, 200, 200, 200),
    ("GET", "/calibration/new", 302, 403, 403, 200, 200, 200),
    ("POST", "/calibration", 302, 403, 403, 303, 404, 303),
    ("GET", "/calibration/{calibration}", 302, 403, 403, 200, 404, 200),
    ("GET", "/calibration/999999", 302, 403, 403, 404, 404, 404),
    ("POST", "/calibration/{calibration}/submit", 302, 403, 403, 400, 404, 400),
    ("POST", "/calibration/{calibration}/agreed", 302, 403, 403, 403, 404, 403),
    ("POST", "/calibration/{closing}/close", 302, 403, 403, 403, 404, 303),
    ("GET", "/calls/{blind_call}", 302, 404, 404, 403, 404, 403),
    ("POST", "/calls/{blind_call}/items/greeting/override", 302, 404, 404, 403, 404, 403),
    ("POST", "/calls/{blind_call}/comments", 302, 404, 404, 403, 404, 403),
    ("GET", "/notifications", 302, 200, 200, 200, 200, 200),
    # saved filters of the call list: everyone's own, anyone else's is 404 (spare's too: spare
    # is no role here); saving a name kept already is refused with a message, the same redirect
    ("POST", "/saved-filters", 302, 303, 303, 303, 303, 303),
    ("GET", "/saved-filters/{supervisor_filter}", 302, 404, 404, 302, 404, 404),
    ("GET", "/saved-filters/{agent_filter}", 302, 302, 404, 404, 404, 404),
    ("GET", "/saved-filters/999999", 302, 404, 404, 404, 404, 404),
    ("POST", "/saved-filters/{supervisor_filter}/rename", 302, 404, 404, 303, 404, 404),
    ("POST", "/saved-filters/{agent_filter}/rename", 302, 303, 404, 404, 404, 404),
    ("POST", "/saved-filters/{supervisor_filter}/default", 302, 404, 404, 303, 404, 404),
    ("POST", "/saved-filters/{agent_filter}/default", 302, 303, 404, 404, 404, 404),
    ("POST", "/saved-filters/{spare_filter}/delete", 302, 404, 404, 404, 404, 404),
    ("POST", "/saved-filters/999999/delete", 302, 404, 404, 404, 404, 404),
    ("GET", "/admin/workers", 302, 403, 403, 403, 403, 200),
    ("POST", "/admin/requeue", 302, 403, 403, 403, 403, 303),
    ("POST", "/logout", 303, 303, 303, 303, 303, 303),
]
CASES = [
    pytest.param(method, path, role, status, id=f"{method} {path[:60]} {role}")
    for method, path, *statuses in MATRIX
    for role, status in zip(ROLES, statuses, strict=True)
]
POSTS = sorted({path for method, path, *_ in MATRIX if method == "POST"})


@pytest.fixture(scope="module")
def shared(module_db_url, tmp_path_factory):
    """The web tests' world, team North and calibration sessions (webtools.add_teams,
    add_calibration), once per backend."""
    settings = Settings(home=tmp_path_factory.mktemp("home"), database_url=module_db_url,
                        default_language="")
    app = make_app(settings)
    world = build_world(app, tmp_path_factory.mktemp("transcripts"))
    add_teams(app, world)
    add_calibration(app, world)
    add_saved_filters(app, world)
    yield app, world
    dispose(app)


def _targets(world) -> dict[str, int]:
    return {
        "own_call": world.own_call, "other_call": world.other_call,
        "own_recording": world.audio["cen025"], "other_recording": world.audio["cpl004"],
        "own_feedback": world.own_feedback, "other_feedback": world.other_feedback,
        "dispute": world.dispute, "other_dispute": world.other_dispute,
        "own_agent": world.agents["A11"], "other_agent": world.agents["A02"],
        "own_coaching": world.own_coaching, "other_coaching": world.other_coaching,
        "calibration": world.calibration, "closing": world.closing,
        "blind_call": world.calls["cpl005"],
        "spare": world.users["spare"],
        "spare_agent": world.users["spare_agent"], "scorecard": 1, "north": world.north,
        "supervisor_filter": world.saved_filters["supervisor"],
        "agent_filter": world.saved_filters["agent"],
        "spare_filter": world.saved_filters["spare"],
    }


def _form(path: str, world) -> dict:
    if path.endswith("/override"):
        return dict(OVERRIDE)
    if path.endswith("/dispute"):
        return dict(DISPUTE)
    if path.endswith("/decide"):
        return {"verdict": "passed"}
    if path == "/calibration":
        # reviewers who are no role of the matrix, or who may not see cpl004 anyway
        return {"name": "matrix", "call_id": str(world.other_call),
                "reviewer_id": [str(world.users["spare"]), str(world.users["team_supervisor"])]}
    if path.endswith("/assign"):
        return {"reviewer_id": str(world.users["admin"]), "due": "2099-12-31"}
    if path.endswith("/coaching"):
        return {"text": "matrix check", "item_id": "greeting", "moments": "0:01"}
    if path.endswith("/comments"):
        return {"at": "0:01", "text": "matrix check"}
    if path.endswith("/feedback"):
        return {"text": "matrix check"}
    if path.endswith(("/reject", "/accept")):
        return {"reply": "matrix check"}
    if path == "/upload":
        data = (SAMPLES / "cen028.mp3").read_bytes()
        return {"recording": (io.BytesIO(data), "matrix.mp3"), "agent_id": "A11",
                "language": "en", "direction": "inbound"}
    if path == "/admin/teams":
        return {"name": "Made by the matrix"}
    if path.endswith("/agents"):
        return {"agent_id": "A11"}  # already in North
    if path.endswith("/agents/remove"):
        return {"agent_id": "A02"}  # in no team: refused
    if path.endswith("/supervisors"):
        return {"username": "admin"}  # an admin: refused
    if path.endswith("/supervisors/remove"):
        return {"username": "supervisor"}  # was not given North: refused
    if path == "/admin/users":
        return {"username": "made-by-matrix", "password": "long enough words", "role": "supervisor"}
    if path.endswith("/active"):
        return {"active": "1"}
    if path == "/admin/requeue":
        return {"status": "failed"}
    if path.startswith("/admin/users/") and path.endswith("/password"):
        return {"password": "a matrix reset password"}
    if path == "/account/timezone":
        return {"time_zone": ""}  # the default: what every matrix user has anyway
    if path == "/account/password":
        return {"current_password": "not the password", "new_password": "a new long password",
                "confirm_password": "a new long password"}
    if path == "/language":
        return {"lang": "en"}
    if path == "/saved-filters":
        return {"name": "Made by the matrix", "args": "queue_id=1&sort=agent"}
    if path.endswith("/rename"):
        return {"name": "Mine"}  # as it is
    if path.endswith("/default"):
        return {"default": "0"}  # as it is: the lists open as the matrix expects
    return {}


def _browser(app, world, role: str):
    user_id = None if role == "anonymous" else world.users[role]
    return session_browser(app, user_id)


@pytest.mark.parametrize(("method", "path", "role", "expected"), CASES)
def test_access_matrix(shared, method, path, role, expected):
    app, world = shared
    url = path.format(**_targets(world))
    browser = _browser(app, world, role)
    if method == "GET":
        response = browser.get(url)
    else:
        response = browser.post(url, data=_form(path, world), content_type="multipart/form-data")
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if role == "anonymous" and expected == 302 and path != "/":
        assert response.location.startswith("/login?next=")


SEARCHED = ("the", "you", "dzien dobry", "w", "i", "nie", "thank you")


@pytest.mark.parametrize("role", ROLES[1:])
def test_search_hits_are_only_in_calls_the_user_may_open(shared, role):
    """Agents only ever find their own calls; supervisors their scope, never a call they
    score blind."""
    app, world = shared
    browser = _browser(app, world, role)
    found: set[int] = set()
    for query in SEARCHED:
        page = browser.get("/search", query_string={"q": query}).get_data(as_text=True)
        found |= {int(call) for call in re.findall(r'href="/calls/(\d+)#t=', page)}
    for call_id in found:
        assert browser.get(f"/calls/{call_id}").status_code == 200, (role, call_id)
    assert world.calls["cpl005"] not in found or role in ("agent", "unlinked")
    if role == "unlinked":
        assert not found
    else:
        assert found, role
    if role == "agent":
        assert world.other_call not in found


def _counts(app) -> dict[str, int]:
    with app.extensions["callqa_sessions"]() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (ItemOverride, Feedback, CallComment, CallReview, Dispute, User,
                              ReviewAssignment, CoachingNote, CalibrationSession,
                              CalibrationVerdict, CalibrationAgreed, Team, TeamMember,
                              TeamSupervisor, SavedFilter)}


@pytest.mark.parametrize("path", POSTS)
def test_a_form_without_its_csrf_token_is_refused(shared, path):
    app, world = shared
    url = path.format(**_targets(world))
    before = _counts(app)
    for role in ("admin", "agent"):
        client = _browser(app, world, role).client
        response = client.post(url, data=_form(path, world), content_type="multipart/form-data")
        assert response.status_code == 400
        forged = client.post(url, data={**_form(path, world), "csrf_token": "forged"},
                             content_type="multipart/form-data")
        assert forged.status_code == 400
    assert _counts(app) == before


def test_login_needs_its_csrf_token_too(shared):
    app, _ = shared
    client = app.test_client()
    response = client.post("/login", data={"username": "admin", "password": "whatever"})
    assert response.status_code == 400
    with client.session_transaction() as cookie_session:
        assert "user_id" not in cookie_session

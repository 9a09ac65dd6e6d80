"""Notifications inside the app: the header's badge and the list, for new feedback, coaching
to acknowledge, answered disputes (agents), and assignments due, open disputes and
calibration sessions waiting for verdicts (supervisors); each goes away once it is done."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from webtools import add_teams, session_browser

from callqa.models import CoachingNote, ReviewAssignment, utcnow


def _kinds(browser) -> list[tuple[str, int]]:
    page = browser.get("/notifications").get_data(as_text=True)
    return [(kind, int(ref)) for kind, ref in
            re.findall(r'data-kind="(\w+)" data-ref="(\d+)"', page)]


def _badge(browser, path: str = "/") -> int:
    page = browser.get(path, follow_redirects=True).get_data(as_text=True)
    found = re.search(r'id="notification-count" data-count="(\d+)"', page)
    return int(found.group(1)) if found else 0


def test_an_agents_notifications_come_and_go(app, world, session):
    agent = session_browser(app, world.users["agent"])
    supervisor = session_browser(app, world.users["supervisor"])
    assert _kinds(agent) == [("feedback", world.own_feedback)]
    assert _badge(agent) == 1

    supervisor.post(f"/calls/{world.own_call}/coaching", data={"text": "Slow down."})
    note = session.scalars(select(CoachingNote)).one()
    supervisor.post(f"/disputes/{world.dispute}/reject", data={"reply": "Not heard."})
    assert sorted(_kinds(agent)) == sorted([("feedback", world.own_feedback),
                                            ("coaching", note.id),
                                            ("dispute_answered", world.dispute)])
    assert _badge(agent, "/my/calls") == 3

    agent.post(f"/feedback/{world.own_feedback}/acknowledge")
    agent.post(f"/coaching/{note.id}/acknowledge")
    assert _kinds(agent) == [("dispute_answered", world.dispute)]
    assert _kinds(session_browser(app, world.users["other_agent"])) == [
        ("feedback", world.other_feedback)]
    assert _kinds(session_browser(app, world.users["unlinked"])) == []


def test_a_supervisors_notifications(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    assert _kinds(supervisor) == [("dispute_open", world.dispute)]
    soon = (utcnow() + timedelta(days=1)).date().isoformat()
    later = (utcnow() + timedelta(days=10)).date().isoformat()
    supervisor.post(f"/calls/{world.own_call}/assign",
                    data={"reviewer_id": world.users["supervisor"], "due": soon})
    supervisor.post(f"/calls/{world.other_call}/assign",
                    data={"reviewer_id": world.users["supervisor"], "due": later})
    [due, _] = session.scalars(select(ReviewAssignment).order_by(ReviewAssignment.id)).all()
    assert _kinds(supervisor) == [("assignment_due", due.id), ("dispute_open", world.dispute)]

    due.due_at = utcnow() - timedelta(hours=2)
    session.commit()
    page = supervisor.get("/notifications").get_data(as_text=True)
    assert "kind-assignment_due overdue" in page and "is overdue" in page

    supervisor.post(f"/calls/{world.own_call}/reviewed", data={"reviewed": "1"})
    supervisor.post(f"/disputes/{world.dispute}/accept", data={"reply": "Yes."})
    assert _kinds(supervisor) == []
    assert _badge(supervisor, "/calls") == 0


def test_a_calibration_session_waits_for_the_reviewers_verdicts(app, world):
    admin = session_browser(app, world.users["admin"])
    response = admin.post("/calibration", data={
        "name": "Week 45", "call_id": str(world.other_call),
        "reviewer_id": [str(world.users["supervisor"]), str(world.users["spare"])]})
    session_id = int(response.location.rsplit("/", 1)[1])
    spare = session_browser(app, world.users["spare"])
    assert ("calibration", session_id) in _kinds(spare)
    page = spare.get("/notifications").get_data(as_text=True)
    assert "Calibration session Week 45 waits for your verdicts" in page
    items = ("greeting", "introduction", "thanks", "goodbye", "anything_else",
             "forbidden_phrases", "resolution_check")
    spare.post(f"/calibration/{session_id}/submit",
               data={f"v-{world.other_call}-{item}": "passed" for item in items})
    assert ("calibration", session_id) not in _kinds(spare)
    assert ("calibration", session_id) in _kinds(session_browser(app, world.users["supervisor"]))
    assert ("calibration", session_id) not in _kinds(admin)  # the lead, not a reviewer


def test_a_team_supervisor_is_told_only_of_their_teams_disputes(app, world):
    add_teams(app, world)
    assert _kinds(session_browser(app, world.users["team_supervisor"])) == [
        ("dispute_open", world.dispute)]
    assert sorted(_kinds(session_browser(app, world.users["supervisor"]))) == sorted([
        ("dispute_open", world.dispute), ("dispute_open", world.other_dispute)])

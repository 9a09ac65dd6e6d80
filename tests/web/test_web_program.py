"""The QA program on the call page and beside it: assigning a call for review by hand and the
reviewer's "My reviews" queue with due dates (done once the call is marked reviewed); coaching
notes from a call, acknowledged by the agent, listed with the trend of their items."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select
from webtools import add_teams, session_browser

from callqa.models import (
    AssignmentStatus,
    Call,
    CoachingNote,
    CoachingStatus,
    ReviewAssignment,
    User,
)
from callqa.models import utcnow as now
from callqa.queries.coaching import agent_coaching


def _due(days: int = 3) -> str:
    return (now().date() + timedelta(days=days)).isoformat()


def _flash(browser, path: str) -> str:
    return browser.get(path).get_data(as_text=True)


def test_assign_by_hand_then_my_reviews_until_reviewed(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    spare = session_browser(app, world.users["spare"])
    response = supervisor.post(f"/calls/{world.own_call}/assign",
                               data={"reviewer_id": world.users["spare"], "due": _due()})
    assert response.status_code == 303 and response.location.endswith("#assignments")
    page = _flash(supervisor, f"/calls/{world.own_call}")
    assert "Assigned for review." in page and 'data-reviewer="spare"' in page

    mine = _flash(spare, "/my/reviews")
    assert re.findall(r'data-call-id="(\d+)" data-overdue="0"', mine) == [str(world.own_call)]
    assert _flash(supervisor, "/my/reviews").count('class="assignment-row') == 0

    spare.post(f"/calls/{world.own_call}/reviewed", data={"reviewed": "1"})
    [assignment] = session.scalars(select(ReviewAssignment)).all()
    assert assignment.status == AssignmentStatus.DONE
    mine = _flash(spare, "/my/reviews")
    open_part, done_part = mine.split('id="my-reviews-done"')
    assert "Nothing to review." in open_part and f'data-call-id="{world.own_call}"' in done_part


def test_an_overdue_assignment_is_flagged(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    supervisor.post(f"/calls/{world.own_call}/assign",
                    data={"reviewer_id": world.users["supervisor"], "due": _due(0)})
    assignment = session.scalars(select(ReviewAssignment)).one()
    assignment.due_at = now() - timedelta(hours=1)
    session.commit()
    assert 'data-overdue="1"' in _flash(supervisor, "/my/reviews")


def test_bad_assignments_are_refused_with_a_message(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    for form, message in [({"reviewer_id": world.users["agent"], "due": _due()},
                           "Choose a reviewer."),
                          ({"reviewer_id": "", "due": _due()}, "Choose a reviewer."),
                          ({"reviewer_id": world.users["spare"], "due": "soon"},
                           "Give the due date as a date."),
                          ({"reviewer_id": world.users["spare"], "due": "2020-01-01"},
                           "The due date has passed.")]:
        response = supervisor.post(f"/calls/{world.own_call}/assign", data=form)
        assert response.status_code == 303
        assert message in _flash(supervisor, f"/calls/{world.own_call}")
    assert session.scalars(select(ReviewAssignment)).all() == []


def test_nobody_is_offered_their_own_call(app, world, session):
    """A supervisor linked to John Carter's agent record is not in his calls' reviewer list."""
    spare = session.get(User, world.users["spare"])
    spare.agent_id = session.get(Call, world.own_call).agent_id
    session.commit()
    page = _flash(session_browser(app, world.users["supervisor"]), f"/calls/{world.own_call}")
    options = page.split('name="reviewer_id"')[1].split("</select>")[0]
    assert ">spare<" not in options and ">supervisor<" in options
    response = session_browser(app, world.users["supervisor"]).post(
        f"/calls/{world.own_call}/assign", data={"reviewer_id": spare.id, "due": _due()})
    assert response.status_code == 303
    assert session.scalars(select(ReviewAssignment)).all() == []


def test_coaching_from_a_call_acknowledged_by_the_agent(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    agent = session_browser(app, world.users["agent"])
    response = supervisor.post(f"/calls/{world.own_call}/coaching", data={
        "text": "Say your name after the greeting.", "item_id": ["introduction", "greeting"],
        "moments": "0:02, 5.5"})
    assert response.status_code == 303
    note = session.scalars(select(CoachingNote)).one()
    assert (note.item_ids, note.moments, note.status) == (
        ["greeting", "introduction"], [2.0, 5.5], CoachingStatus.OPEN)

    call_page = _flash(agent, f"/calls/{world.own_call}")
    assert 'data-seek="5.5"' in call_page  # a moment seeks the call there
    assert f'id="coaching-ack-{note.id}"' in call_page
    page = _flash(agent, "/my/coaching")
    open_part = page.split('id="coaching-done"')[0]
    assert "Say your name after the greeting." in open_part
    assert f'id="coaching-ack-{note.id}"' in open_part
    trend = re.findall(r'data-item="(\w+)"', page.split('id="coaching-trends"')[1])
    assert trend == ["greeting", "introduction"]
    # cen025 and cen028, John Carter's calls, started in the week of 2 Nov 2026: the
    # greeting passed in both; the eight weeks up to 20 Nov start on 28 Sep and 16 Nov
    coaching = agent_coaching(session, note.agent_id, date(2026, 11, 20))
    greeting = coaching.trends[0]
    assert greeting.weeks[0] == date(2026, 9, 28) and greeting.weeks[-1] == date(2026, 11, 16)
    assert (greeting.decided, greeting.rate(date(2026, 11, 2))) == ({date(2026, 11, 2): 2}, 1.0)
    assert greeting.rate(date(2026, 11, 9)) is None

    assert agent.post(f"/coaching/{note.id}/acknowledge").status_code == 303
    session.refresh(note)
    assert note.status == CoachingStatus.ACKNOWLEDGED and note.acknowledged_at is not None
    page = _flash(agent, "/my/coaching")
    assert "Coaching acknowledged." in page
    assert "Say your name" in page.split('id="coaching-done"')[1]
    supervisor_view = _flash(supervisor, f"/agents/{note.agent_id}/coaching")
    assert "Say your name" in supervisor_view.split('id="coaching-done"')[1]


def test_bad_coaching_is_refused_with_a_message(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    for form, message in [({"text": " "}, "Write the coaching first."),
                          ({"text": "x", "item_id": "no_such"},
                           "Choose items of this call&#39;s checklist."),
                          ({"text": "x", "moments": "soon"}, "Give moments as m:ss"),
                          ({"text": "x", "moments": "1:75"}, "Give moments as m:ss"),
                          ({"text": "x", "moments": "99:00"}, "past the end of the call")]:
        supervisor.post(f"/calls/{world.own_call}/coaching", data=form)
        assert message in _flash(supervisor, f"/calls/{world.own_call}"), message
    assert session.scalars(select(CoachingNote)).all() == []


def test_coaching_of_another_teams_agent_is_not_found(app, world, session):
    add_teams(app, world)
    other_agent = session.get(Call, world.other_call).agent_id
    own_agent = session.get(Call, world.own_call).agent_id
    team = session_browser(app, world.users["team_supervisor"])
    assert team.get(f"/agents/{other_agent}/coaching").status_code == 404
    assert team.get(f"/agents/{own_agent}/coaching").status_code == 200
    assert team.get("/agents/999999/coaching").status_code == 404

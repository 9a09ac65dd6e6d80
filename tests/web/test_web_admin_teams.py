"""Teams in the admin UI: the same service functions as `callqa team ...`, so a team made and
filled here decides what its supervisor sees, and every refusal the command gives is a
message here."""
from __future__ import annotations

import re

from sqlalchemy import select
from webtools import session_browser

from callqa.models import Team, TeamMember, TeamSupervisor


def _ids(html: str) -> set[int]:
    return {int(found) for found in re.findall(r'data-call-id="(\d+)"', html)}


def _team_section(page: str, name: str) -> str:
    return page.split(f'data-team="{name}"')[1].split("</section>")[0]


def test_an_admin_makes_a_team_and_decides_what_its_supervisor_sees(app, world, session):
    admin = session_browser(app, world.users["admin"])
    empty = admin.get("/admin/teams")
    assert empty.status_code == 200 and 'id="no-teams"' in empty.get_data(as_text=True)
    made = admin.post("/admin/teams", data={"name": " South "})
    assert made.status_code == 303 and made.location == "/admin/teams"
    team = session.scalars(select(Team)).one()
    assert team.name == "South"
    for agent in ("A02", "A11"):
        assert admin.post(f"/admin/teams/{team.id}/agents",
                          data={"agent_id": agent}).status_code == 303
    assert admin.post(f"/admin/teams/{team.id}/supervisors",
                      data={"username": "supervisor"}).status_code == 303
    section = _team_section(admin.get("/admin/teams").get_data(as_text=True), "South")
    assert re.findall(r'class="team-agent" data-agent="(\w+)"', section) == ["A02", "A11"]
    assert re.findall(r'class="team-supervisor" data-username="(\w+)"', section) == [
        "supervisor"]

    supervisor = session_browser(app, world.users["supervisor"])
    carter = {world.calls[c] for c in ("cen025", "cen028")} | {
        world.audio[c] for c in ("cen025", "cen028")}
    piotr = {world.calls["cpl004"], world.audio["cpl004"]}
    assert _ids(supervisor.get("/calls?per_page=100").get_data(as_text=True)) == carter | piotr

    assert admin.post(f"/admin/teams/{team.id}/agents/remove",
                      data={"agent_id": "A11"}).status_code == 303
    assert _ids(supervisor.get("/calls?per_page=100").get_data(as_text=True)) == piotr
    assert admin.post(f"/admin/teams/{team.id}/supervisors/remove",
                      data={"username": "supervisor"}).status_code == 303
    everything = set(world.calls.values()) | set(world.audio.values())
    assert _ids(supervisor.get("/calls?per_page=100").get_data(as_text=True)) == everything
    session.expire_all()
    assert [m.agent.external_id for m in session.scalars(select(TeamMember))] == ["A02"]
    assert session.scalars(select(TeamSupervisor)).all() == []


def test_adding_an_agent_of_another_team_moves_them(app, world, session):
    admin = session_browser(app, world.users["admin"])
    for name in ("North", "South"):
        admin.post("/admin/teams", data={"name": name})
    north, south = (session.scalar(select(Team).where(Team.name == n)) for n in ("North",
                                                                                  "South"))
    admin.post(f"/admin/teams/{north.id}/agents", data={"agent_id": "A11"})
    admin.post(f"/admin/teams/{south.id}/agents", data={"agent_id": "A11"})
    page = admin.get("/admin/teams").get_data(as_text=True)
    assert 'data-agent="A11"' not in _team_section(page, "North")
    assert 'data-agent="A11"' in _team_section(page, "South")


def test_what_the_team_command_refuses_the_page_refuses_with_a_message(app, world, session):
    admin = session_browser(app, world.users["admin"])
    admin.post("/admin/teams", data={"name": "North"})
    north = session.scalar(select(Team).where(Team.name == "North"))
    again = admin.post("/admin/teams", data={"name": "North"})
    assert again.status_code == 400
    assert "There is a team of this name already." in again.get_data(as_text=True)
    assert admin.post("/admin/teams", data={"name": " "}).status_code == 400
    for path, form, message in [
            ("agents", {"agent_id": "A99"}, "no agent with the id &#39;A99&#39;"),
            ("agents/remove", {"agent_id": "A02"}, "agent A02 is not in team North"),
            ("supervisors", {"username": "admin"}, "teams are given to supervisors"),
            ("supervisors", {"username": "nobody"}, "no user named &#39;nobody&#39;"),
            ("supervisors/remove", {"username": "supervisor"}, "was not given team North")]:
        refused = admin.post(f"/admin/teams/{north.id}/{path}", data=form)
        assert refused.status_code == 303, path
        assert message in admin.get("/admin/teams").get_data(as_text=True), path
    assert admin.post("/admin/teams/999999/agents", data={"agent_id": "A11"}).status_code == 404
    assert [t.name for t in session.scalars(select(Team))] == ["North"]
    assert session.scalars(select(TeamMember)).all() == []


def test_only_administrators_manage_teams(app, world):
    for role in ("supervisor", "agent"):
        browser = session_browser(app, world.users[role])
        assert browser.get("/admin/teams").status_code == 403, role
        assert browser.post("/admin/teams", data={"name": "x"}).status_code == 403, role
    assert app.test_client().get("/admin/teams").status_code == 302  # to the sign-in page

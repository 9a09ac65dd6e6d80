"""Accounts: `callqa create-user` from the shell, and the administrators' Users page."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select
from webtools import Browser, session_browser

from callqa.cli.main import main
from callqa.models import Agent, User


def _create_user(settings, *args: str, input: str | None = None):
    env = {"CALLQA_DATABASE_URL": settings.db_url, "CALLQA_HOME": str(settings.home)}
    return CliRunner().invoke(main, ["create-user", *args], env=env, input=input)


def test_create_user_from_the_shell(app, settings, session):
    result = _create_user(settings, "jcarter", "--role", "agent", "--agent-id", "A11",
                          "--password", "long enough words")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created agent jcarter linked to agent A11"
    user = session.scalars(select(User).where(User.username == "jcarter")).one()
    assert user.role == "agent" and user.agent.external_id == "A11" and user.active
    assert user.password_hash.startswith("scrypt:")
    assert "long enough words" not in user.password_hash
    assert Browser(app).login("jcarter", "long enough words").status_code == 303


def test_the_password_is_asked_for_and_weak_ones_are_refused(app, settings, session):
    asked = _create_user(settings, "boss", "--role", "supervisor",
                         input="s3cret-passage-9\ns3cret-passage-9\n")
    assert asked.exit_code == 0, asked.output
    assert "s3cret-passage-9" not in asked.output
    assert Browser(app).login("boss", "s3cret-passage-9").status_code == 303
    for password, reason in (("short", "at least 12 characters"),
                             ("password", "at least 12 characters"),
                             ("password1234", "too easy to guess"),
                             ("weak-weak-weak-weak", "user name"),
                             ("my callqa password", "product's name")):
        weak = _create_user(settings, "weak", "--role", "admin", "--password", password)
        assert weak.exit_code == 1 and reason in weak.output, (password, weak.output)
    taken = _create_user(settings, "BOSS", "--role", "admin", "--password", "long enough words")
    assert taken.exit_code == 1 and "taken" in taken.output
    wrong = _create_user(settings, "x", "--role", "admin", "--agent-id", "A1",
                         "--password", "long enough words")
    assert wrong.exit_code == 2
    unlinked = _create_user(settings, "newbie", "--role", "agent",
                            "--password", "long enough words")
    assert unlinked.exit_code == 0 and "not linked" in unlinked.output
    assert session.scalars(select(User.username).order_by(User.username)).all() == [
        "boss", "newbie"]


def test_admin_creates_links_and_deactivates_users(app, world, session):
    admin = session_browser(app, world.users["admin"])
    page = admin.get("/admin/users").get_data(as_text=True)
    assert 'id="users-table"' in page and 'id="create-user-form"' in page
    response = admin.post("/admin/users", data={"username": "ewa", "password": "long enough words",
                                                "role": "agent", "agent_id": "A07"})
    assert response.status_code == 303
    ewa = session.scalars(select(User).where(User.username == "ewa")).one()
    assert ewa.agent.external_id == "A07"  # made: her calls have not come in yet
    for password, reason in (("short", "at least 12 characters"),
                             ("qwertyuiop123", "too easy to guess"),
                             ("Password2026!", "too easy to guess"),
                             ("xavier-the-agent", "user name")):
        weak = admin.post("/admin/users", data={"username": "xavier", "password": password,
                                                "role": "agent"})
        assert weak.status_code == 400, password
        assert reason in weak.get_data(as_text=True), password
    admin.post(f"/admin/users/{ewa.id}/agent", data={"agent_id": "A02"})
    session.expire_all()
    assert session.get(User, ewa.id).agent.external_id == "A02"
    assert session.scalar(select(Agent.name).where(Agent.external_id == "A02")) == (
        "Piotr Wiśniewski")
    admin.post(f"/admin/users/{ewa.id}/active", data={"active": "0"})
    session.expire_all()
    assert session.get(User, ewa.id).active is False
    own = admin.post(f"/admin/users/{world.users['admin']}/active", data={"active": "0"})
    assert "cannot deactivate yourself" in admin.get(own.location).get_data(as_text=True)
    session.expire_all()
    assert session.get(User, world.users["admin"]).active is True
    supervisor_link = admin.post(f"/admin/users/{world.users['supervisor']}/agent",
                                 data={"agent_id": "A02"})
    assert "Only agent users" in admin.get(supervisor_link.location).get_data(as_text=True)
    polish = session_browser(app, world.users["admin"])
    polish.post("/language", data={"lang": "pl"})
    weak = polish.post("/admin/users", data={"username": "xavier", "password": "password1234",
                                             "role": "agent"})
    assert "To hasło łatwo odgadnąć" in weak.get_data(as_text=True)
    assert session.scalar(select(User).where(User.username == "xavier")) is None


def test_admin_sees_the_stored_scorecards(app, world):
    admin = session_browser(app, world.users["admin"])
    page = admin.get("/admin/scorecards").get_data(as_text=True)
    assert 'id="scorecards-table"' in page and "default" in page
    source = admin.get("/admin/scorecards/1").get_data(as_text=True)
    assert "# The default courtesy checklist" in source

"""Changing one's own password (the current one first, the policy, other sessions end) and
an admin's reset (typed, or generated and shown once); admins see each user's last sign-in."""
from __future__ import annotations

import re

from webtools import PASSWORD, Browser

from callqa.models import User


def _change(browser: Browser, current: str, new: str, again: str | None = None):
    return browser.post("/account/password", data={
        "current_password": current, "new_password": new,
        "confirm_password": new if again is None else again})


def test_changing_ones_own_password_ends_the_other_sessions(app, world, session):
    here, elsewhere = Browser(app), Browser(app)
    assert here.login("agent").status_code == 303 and elsewhere.login("agent").status_code == 303
    assert _change(here, "wrong password", "tulips in the rain 42").status_code == 400
    assert _change(here, PASSWORD, "short").status_code == 400  # the policy
    assert _change(here, PASSWORD, "tulips in the rain 42", "other").status_code == 400
    session.expire_all()
    assert session.get(User, world.users["agent"]).check_password(PASSWORD)
    response = _change(here, PASSWORD, "tulips in the rain 42")
    assert response.status_code == 303
    assert here.get("/my/calls").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/my/calls").status_code == 302  # the other session ended
    assert Browser(app).login("agent", PASSWORD).status_code == 401
    assert Browser(app).login("agent", "tulips in the rain 42").status_code == 303


def test_an_admin_resets_a_password_generated_and_shown_once(app, world, session):
    admin, agent = Browser(app), Browser(app)
    admin.login("admin")
    agent.login("agent")
    page = admin.post(f"/admin/users/{world.users['agent']}/password", data={"password": ""})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    [password] = re.findall(r'id="new-password" data-username="agent">.*?<code>([^<]+)</code>',
                            page.get_data(as_text=True))
    assert agent.get("/my/calls").status_code == 302  # signed out by the reset
    assert Browser(app).login("agent", password).status_code == 303
    assert 'id="new-password"' not in admin.get("/admin/users").get_data(as_text=True)  # once
    typed = admin.post(f"/admin/users/{world.users['agent']}/password",
                       data={"password": "a typed reset password"})
    assert typed.status_code == 303
    assert Browser(app).login("agent", "a typed reset password").status_code == 303
    refused = admin.post(f"/admin/users/{world.users['agent']}/password",
                         data={"password": "short"})
    assert "at least 12 characters" in admin.get(refused.location).get_data(as_text=True)
    session.expire_all()
    assert session.get(User, world.users["agent"]).check_password("a typed reset password")


def test_admins_see_when_each_user_last_signed_in(app, world, session):
    admin = Browser(app)
    admin.login("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    session.expire_all()
    signed_in = session.get(User, world.users["admin"]).last_login_at
    assert signed_in is not None
    row = page[page.index(f'id="user-{world.users["admin"]}"'):]
    assert f'data-last-login="{signed_in.isoformat()}"' in row[:2000]
    never = page[page.index(f'id="user-{world.users["spare"]}"'):]
    assert 'data-last-login=""' in never[:2000]

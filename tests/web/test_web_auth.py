"""Signing in and out, inactive accounts, the session cookie, the secret key, and that GET
never changes anything."""
from __future__ import annotations

import stat
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from webtools import PASSWORD, Browser, csrf_token, make_app, session_browser

from callqa.models import User
from callqa.web.setup import secret_key


def test_sign_in_and_out(app, world):
    browser = Browser(app)
    assert browser.get("/calls").location == "/login?next=/calls"
    page = browser.get("/login").get_data(as_text=True)
    assert 'id="login-form"' in page
    response = browser.login("supervisor")
    assert response.status_code == 303 and response.location == "/"
    assert browser.get("/").location == "/calls"
    page = browser.get("/calls").get_data(as_text=True)
    assert 'id="calls-table"' in page and 'id="logout"' in page
    assert browser.get("/logout").status_code == 405  # signing out changes state: POST only
    assert browser.get("/calls").status_code == 200
    assert browser.post("/logout").status_code == 303
    assert browser.get("/calls").status_code == 302


def test_sign_in_goes_back_where_asked_but_never_off_site(app, world):
    browser = Browser(app)
    token = csrf_token(browser.client)
    form = {"username": "agent", "password": PASSWORD, "csrf_token": token}
    own = f"/calls/{world.own_call}"
    assert browser.client.post("/login", data={**form, "next": own}).location == own
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        browser = Browser(app)
        form["csrf_token"] = csrf_token(browser.client)
        assert browser.client.post("/login", data={**form, "next": target}).location == "/"


def test_wrong_password_unknown_user_and_inactive_account(app, world, session):
    for username, password in (("supervisor", "wrong password"), ("nobody", PASSWORD),
                               ("", "")):
        response = Browser(app).login(username, password)
        assert response.status_code == 401
        assert "Wrong user name or password" in response.get_data(as_text=True)
    session.get(User, world.users["spare"]).active = False
    session.commit()
    assert Browser(app).login("spare").status_code == 401


def test_a_deactivated_user_is_signed_out_at_once(app, world):
    spare = Browser(app)
    assert spare.login("spare").status_code == 303
    assert spare.get("/calls").status_code == 200
    admin = session_browser(app, world.users["admin"])
    response = admin.post(f"/admin/users/{world.users['spare']}/active", data={"active": "0"})
    assert response.status_code == 303
    assert spare.get("/calls").status_code == 302


def test_session_cookie_is_httponly_and_samesite(app, world):
    browser = Browser(app)
    browser.login("agent")
    cookie = browser.client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_security_headers(app, world):
    response = session_browser(app, world.users["agent"]).get(f"/calls/{world.own_call}")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_get_never_changes_state(app, world):
    """Every route that changes something refuses GET."""
    admin = session_browser(app, world.users["admin"])
    call = f"/calls/{world.own_call}"
    for path in ("/logout", "/language", f"{call}/reviewed", f"{call}/feedback",
                 f"{call}/items/greeting/override",
                 f"/disputes/{world.dispute}/accept", f"/disputes/{world.dispute}/reject",
                 f"/admin/users/{world.users['spare']}/active",
                 f"/admin/users/{world.users['spare_agent']}/agent"):
        assert admin.get(path).status_code == 405, path
    agent = session_browser(app, world.users["agent"])
    for path in (f"/feedback/{world.own_feedback}/acknowledge",
                 f"/calls/{world.own_call}/items/greeting/dispute"):
        assert agent.get(path).status_code == 405, path
    methods = {rule.rule: rule.methods for rule in app.url_map.iter_rules()}
    for rule, allowed in methods.items():
        if "POST" in allowed and rule not in ("/login", "/admin/users", "/upload"):
            assert "GET" not in allowed, rule


def test_the_secret_key_is_made_once_and_kept_private(settings):
    home = settings.home
    first = secret_key(home)
    assert len(first) == 64 and secret_key(home) == first
    assert stat.S_IMODE((home / "secret_key").stat().st_mode) == 0o600
    app = make_app(settings, SECRET_KEY=None)
    try:
        assert app.config["SECRET_KEY"] == first
    finally:
        app.extensions["callqa_engine"].dispose()


def test_processes_starting_together_agree_on_one_secret_key(tmp_path):
    home = tmp_path / "home"
    with ProcessPoolExecutor(max_workers=4, mp_context=get_context("spawn")) as pool:
        keys = set(pool.map(secret_key, [home] * 8))
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in home.iterdir()] == ["secret_key"]  # no drafts left behind

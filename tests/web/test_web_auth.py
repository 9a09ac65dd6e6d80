"""Signing in and out, inactive accounts, the session cookie, the secret key, and that GET
never changes anything."""
from __future__ import annotations

import re
import stat
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from multiprocessing import get_context

from sqlalchemy import select
from webtools import PASSWORD, Browser, csrf_token, make_app, session_browser

from callqa.models import LoginFailure, User
from callqa.services.accounts import ensure_user, set_password
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


# Targets that lead off-site once a browser has normalised them (tabs and newlines dropped,
# backslashes read as slashes), or once an encoded character is decoded again.
OFF_SITE = (
    "https://evil.example/", "http://evil.example", "https:evil.example", "//evil.example/x",
    "///evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
    "/\t/evil.example/phish", "/%09/evil.example/phish", "/%2F%2Fevil.example",
    "/%2f/evil.example", "/%5Cevil.example", "/.//evil.example", "/./\\evil.example",
    "/../evil.example", "java\tscript:alert(1)", "javascript:alert(1)", "/\r\n/evil.example",
    "/%0d%0aSet-Cookie:x=1", "/calls\r\nLocation: //evil.example", " //evil.example",
    "\x00//evil.example", "evil.example", "",
)


def test_sign_in_goes_back_where_asked_but_never_off_site(app, world):
    browser = Browser(app)
    token = csrf_token(browser.client)
    form = {"username": "agent", "password": PASSWORD, "csrf_token": token}
    own = f"/calls/{world.own_call}?page=2"
    assert browser.client.post("/login", data={**form, "next": own}).location == own
    for target in OFF_SITE:
        browser = Browser(app)
        form["csrf_token"] = csrf_token(browser.client)
        response = browser.client.post("/login", data={**form, "next": target})
        assert (response.status_code, response.location) == (303, "/"), target


def _login_form_next(response) -> list[str]:
    """The login form's `next` (the language switch's own `next` is this page)."""
    values = re.findall(r'name="next" value="([^"]*)"', response.get_data(as_text=True))
    return [value for value in values if not value.startswith("/login")]


def test_the_login_page_keeps_no_off_site_target(app, world):
    client = app.test_client()
    assert _login_form_next(client.get("/login", query_string={"next": "/calls"})) == ["/calls"]
    for target in OFF_SITE:
        response = client.get("/login", query_string={"next": target})
        assert response.status_code == 200, target
        assert _login_form_next(response) == [], target


def test_the_language_switch_never_leads_off_site(app, world):
    browser = session_browser(app, world.users["supervisor"])
    assert browser.post("/language", data={"lang": "pl", "next": "/calls"}).location == "/calls"
    for target in OFF_SITE:
        response = browser.post("/language", data={"lang": "en", "next": target})
        assert (response.status_code, response.location) == (303, "/"), target


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


def _saved_cookie(browser: Browser) -> str:
    return browser.client.get_cookie("session").value


def _replayed(app, cookie: str) -> Browser:
    """Another browser sending a copy of a saved session cookie."""
    browser = Browser(app)
    browser.client.set_cookie("session", cookie)
    return browser


def test_a_saved_cookie_opens_nothing_after_signing_out(app, world):
    browser = Browser(app)
    assert browser.login("supervisor").status_code == 303
    saved = _saved_cookie(browser)
    assert _replayed(app, saved).get("/calls").status_code == 200
    elsewhere = Browser(app)  # the same user on another computer
    assert elsewhere.login("supervisor").status_code == 303
    agent = Browser(app)
    assert agent.login("agent").status_code == 303
    assert browser.post("/logout").status_code == 303
    replay = _replayed(app, saved).get("/calls")
    assert replay.status_code == 302 and replay.location == "/login?next=/calls"
    assert elsewhere.get("/calls").status_code == 302  # every session of the user ends
    assert agent.get("/my/calls").status_code == 200  # not another user's
    assert browser.login("supervisor").status_code == 303  # signing in again works
    assert browser.get("/calls").status_code == 200


def test_a_saved_cookie_opens_nothing_after_a_new_password(app, world, session):
    browser = Browser(app)
    assert browser.login("supervisor").status_code == 303
    saved = _saved_cookie(browser)
    supervisor = session.get(User, world.users["supervisor"])
    _, password = ensure_user(session, "supervisor", "supervisor", new_password=True)
    session.commit()
    assert _replayed(app, saved).get("/calls").status_code == 302
    assert browser.get("/calls").status_code == 302
    assert browser.login("supervisor", password).status_code == 303
    assert browser.get("/calls").status_code == 200
    set_password(supervisor, "a brand new passphrase")
    session.commit()
    assert browser.get("/calls").status_code == 302


def test_a_saved_cookie_opens_nothing_after_deactivation_even_once_reactivated(app, world):
    spare = Browser(app)
    assert spare.login("spare").status_code == 303
    saved = _saved_cookie(spare)
    admin = session_browser(app, world.users["admin"])
    spare_users = f"/admin/users/{world.users['spare']}/active"
    assert admin.post(spare_users, data={"active": "0"}).status_code == 303
    assert admin.post(spare_users, data={"active": "1"}).status_code == 303
    assert _replayed(app, saved).get("/calls").status_code == 302


def _aged_cookie(app, world, signed_in_ago: float, seen_ago: float) -> Browser:
    """A session cookie of the supervisor's as it was saved some time ago."""
    browser = session_browser(app, world.users["supervisor"])
    now = time.time()
    with browser.client.session_transaction() as cookie_session:
        cookie_session["signed_in_at"] = int(now - signed_in_ago)
        cookie_session["seen_at"] = int(now - seen_ago)
    return browser


def test_a_session_ends_when_idle_and_after_its_lifetime(app, world):
    settings = app.config["CALLQA_SETTINGS"]
    assert (settings.session_idle_s, settings.session_max_s) == (3600, 12 * 3600)
    recent = _aged_cookie(app, world, signed_in_ago=11 * 3600, seen_ago=3500)
    assert recent.get("/calls").status_code == 200
    with recent.client.session_transaction() as cookie_session:
        assert time.time() - cookie_session["seen_at"] < 5  # in use: seen now
    assert _aged_cookie(app, world, signed_in_ago=7200, seen_ago=3700).get(
        "/calls").status_code == 302
    assert _aged_cookie(app, world, signed_in_ago=12 * 3600 + 60, seen_ago=10).get(
        "/calls").status_code == 302


def test_the_session_lifetimes_are_settings(settings, world):
    short = make_app(replace(settings, session_idle_s=60, session_max_s=600))
    try:
        assert short.permanent_session_lifetime.total_seconds() == 600
        assert _aged_cookie(short, world, signed_in_ago=120, seen_ago=90).get(
            "/calls").status_code == 302
        assert _aged_cookie(short, world, signed_in_ago=120, seen_ago=30).get(
            "/calls").status_code == 200
    finally:
        short.extensions["callqa_engine"].dispose()


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


def test_personal_data_is_kept_by_no_cache(app, world):
    supervisor = session_browser(app, world.users["supervisor"])
    agent = session_browser(app, world.users["agent"])
    admin = session_browser(app, world.users["admin"])
    pages = [(supervisor, "/calls"), (supervisor, f"/calls/{world.own_call}"),
             (supervisor, "/calls.csv"), (supervisor, f"/calls/{world.audio['cen025']}/audio"),
             (supervisor, "/review-queue"), (supervisor, "/dashboard"),
             (supervisor, "/disputes"), (agent, "/my/calls"),
             (agent, f"/calls/{world.own_call}"), (agent, f"/calls/{world.audio['cen025']}/audio"),
             (admin, "/admin/users")]
    for browser, path in pages:
        response = browser.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    ranged = agent.get(f"/calls/{world.audio['cen025']}/audio", headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and ranged.headers["Cache-Control"] == "no-store"
    public = agent.get("/static/style.css")
    assert public.status_code == 200 and "no-store" not in public.headers.get("Cache-Control", "")


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
        if "POST" in allowed:
            assert "GET" not in allowed, rule


def test_head_never_signs_in_nor_counts_a_failure(app, world, session):
    client = app.test_client()
    for password in (PASSWORD, "wrong password"):
        response = client.head("/login", data={"username": "supervisor", "password": password})
        assert response.status_code == 200 and response.get_data() == b""
        with client.session_transaction() as cookie_session:
            assert "user_id" not in cookie_session
    assert client.get("/calls").status_code == 302
    assert session.scalars(select(LoginFailure)).all() == []


def test_head_is_answered_by_the_get_view_of_every_route(app):
    """A route that takes POST never also answers GET or HEAD with the same view, so HEAD
    (which Flask adds to every GET) cannot reach a branch that changes state."""
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            assert "HEAD" not in rule.methods, rule.rule


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

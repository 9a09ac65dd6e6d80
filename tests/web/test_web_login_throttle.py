"""Password guessing through the login form is throttled, per account and address and per
address, across app instances (web workers) on the same database, and behind a proxy."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from webtools import PASSWORD, Browser, csrf_token, dispose, make_app

from callqa.models import LoginFailure


@pytest.fixture
def strict_app(settings):
    app = make_app(replace(settings, login_max_failures=3, login_max_failures_per_address=6))
    yield app
    dispose(app)


def login(app, username, password, address="203.0.113.5", headers=None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    form = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data=form, headers=headers or {})


def test_after_its_limit_an_account_waits_even_with_the_right_password(strict_app, world):
    for _ in range(3):
        assert login(strict_app, "supervisor", "wrong password").status_code == 401
    response = login(strict_app, "supervisor", PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed sign-ins. Try again in 15 min." in response.get_data(as_text=True)
    # The other web worker counts the same failures: they are in the database.
    other_worker = make_app(strict_app.config["CALLQA_SETTINGS"])
    try:
        assert login(other_worker, "supervisor", PASSWORD).status_code == 429
    finally:
        dispose(other_worker)
    # Another address is not locked out, nor another account from this one.
    assert login(strict_app, "supervisor", PASSWORD, address="198.51.100.7").status_code == 303
    assert login(strict_app, "admin", PASSWORD).status_code == 303


def test_the_wait_ends_with_the_window_and_a_sign_in_clears_the_count(strict_app, world,
                                                                     session):
    for _ in range(3):
        login(strict_app, "agent", "wrong password")
    assert login(strict_app, "agent", PASSWORD).status_code == 429
    for failure in session.scalars(select(LoginFailure)):
        failure.at -= timedelta(minutes=15)  # as if a quarter of an hour had passed
    session.commit()
    assert login(strict_app, "agent", PASSWORD).status_code == 303
    for _ in range(2):
        login(strict_app, "agent", "wrong password")
    assert login(strict_app, "agent", PASSWORD).status_code == 303  # the count starts afresh
    for _ in range(2):
        assert login(strict_app, "agent", "wrong password").status_code == 401


def test_one_address_guessing_many_user_names_waits(strict_app, world):
    for name in ("a1", "a2", "a3", "a4", "a5", "a6"):
        assert login(strict_app, name, "123456").status_code == 401
    assert login(strict_app, "admin", PASSWORD).status_code == 429
    assert login(strict_app, "admin", PASSWORD, address="198.51.100.7").status_code == 303


def test_the_message_is_in_polish_too(strict_app, world):
    client = strict_app.test_client()
    client.post("/language", data={"lang": "pl", "csrf_token": csrf_token(client)})
    for _ in range(4):
        form = {"username": "spare", "password": "nope", "csrf_token": csrf_token(client)}
        response = client.post("/login", data=form)
    assert response.status_code == 429
    assert "Zbyt wiele nieudanych logowań" in response.get_data(as_text=True)


def test_behind_a_trusted_proxy_clients_are_told_apart_by_forwarded_for(settings, world):
    app = make_app(replace(settings, login_max_failures=2), TRUSTED_PROXIES=1)
    try:
        proxy = "127.0.0.1"
        first = {"X-Forwarded-For": "192.0.2.1"}
        for _ in range(2):
            login(app, "spare", "wrong password", address=proxy, headers=first)
        assert login(app, "spare", PASSWORD, address=proxy, headers=first).status_code == 429
        second = {"X-Forwarded-For": "192.0.2.2"}
        assert login(app, "spare", PASSWORD, address=proxy, headers=second).status_code == 303
    finally:
        dispose(app)


def test_without_trusted_proxies_forwarded_for_is_ignored(strict_app, world):
    for n in range(3):
        headers = {"X-Forwarded-For": f"192.0.2.{n}"}  # anybody can send this header
        login(strict_app, "spare", "wrong password", headers=headers)
    assert login(strict_app, "spare", PASSWORD).status_code == 429


def test_plain_browser_sign_in_still_works(app, world):
    assert Browser(app).login("supervisor").status_code == 303

"""Fixtures for the web tests: the app on a real database (SQLite, and PostgreSQL when
configured) with real calls: the shipped sample calls, ingested as reference transcripts
(scored) and as recordings (queued, for the audio route), and a user of every role."""
from __future__ import annotations

from pathlib import Path

import pytest
from dbtools import DATABASES, fresh_database
from flask import Flask
from webtools import Browser, World, build_world, csrf_token, dispose, make_app

from callqa.settings import Settings


@pytest.fixture
def app(settings: Settings):
    app = make_app(settings)
    yield app
    dispose(app)


@pytest.fixture
def world(app: Flask, tmp_path: Path) -> World:
    return build_world(app, tmp_path)


@pytest.fixture
def browser(app: Flask):
    def signed_in(username: str | None = None) -> Browser:
        browser = Browser(app)
        if username:
            assert browser.login(username).status_code == 303
        else:
            browser.token = csrf_token(browser.client)
        return browser
    return signed_in


@pytest.fixture
def session(app: Flask):
    """A database session for checking what the app stored."""
    with app.extensions["callqa_sessions"]() as session:
        yield session


@pytest.fixture(scope="module", params=DATABASES)
def module_db_url(request, tmp_path_factory):
    """A database shared by a module's tests (the access matrix): built once per backend."""
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="module")
def shared(module_db_url, tmp_path_factory):
    """(app, world) built once per module and backend."""
    home = tmp_path_factory.mktemp("home")
    settings = Settings(home=home, database_url=module_db_url, default_language="")
    app = make_app(settings)
    yield app, build_world(app, tmp_path_factory.mktemp("transcripts"))
    dispose(app)

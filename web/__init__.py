"""The review UI: a Flask application factory and one blueprint per feature."""
from __future__ import annotations

import sys
from typing import Any

from flask import Flask, g
from sqlalchemy.orm import Session

from callqa.models.db import DatabaseUnavailable, make_session_factory, open_database
from callqa.services.dispatch import check_broker
from callqa.services.score_store import configure_scoring
from callqa.settings import Settings, load_settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The app; `config` overrides Flask settings, and `CALLQA_SETTINGS` (a qa Settings)
    overrides the environment's callqa settings."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(
        SECRET_KEY=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=512 * 1024 * 1024,
    )
    app.config.from_prefixed_env("CALLQA_FLASK")
    if config:
        app.config.update(config)
    settings: Settings = app.config.get("CALLQA_SETTINGS") or load_settings()
    app.config["CALLQA_SETTINGS"] = settings
    check_broker(settings)  # BrokerUnusable, with the reason: e.g. SQLite with a broker
    configure_scoring(settings)
    try:
        engine = open_database(settings.db_url)
    except DatabaseUnavailable as exc:
        # One line instead of the driver's traceback in every gunicorn worker; exit code 3 is
        # gunicorn's "worker failed to boot", on which it stops rather than respawning.
        print(f"callqa: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(3) from None
    app.extensions["callqa_engine"] = engine
    app.extensions["callqa_sessions"] = make_session_factory(engine)
    app.teardown_appcontext(_close_session)
    from callqa.web.setup import init_web

    init_web(app, settings)
    return app


def db() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "db" not in g:
        from flask import current_app

        g.db = current_app.extensions["callqa_sessions"]()
    return g.db


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()

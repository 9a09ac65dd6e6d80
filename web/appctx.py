"""The app's callqa settings and session factory, for views that need more than `db()`."""
from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from callqa.settings import Settings


def settings() -> Settings:
    return current_app.config["CALLQA_SETTINGS"]


def sessions() -> sessionmaker[Session]:
    """For application functions that own their units of work (e.g. ingest)."""
    return current_app.extensions["callqa_sessions"]

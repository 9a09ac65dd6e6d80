"""What every command needs: settings and a session factory on an up-to-date schema."""
from __future__ import annotations

import click
from sqlalchemy.orm import Session, sessionmaker

from callqa.models.db import DatabaseUnavailable, make_session_factory, open_database
from callqa.services.dispatch import BrokerUnusable, check_broker
from callqa.services.score_store import configure_scoring
from callqa.settings import Settings


class App:
    """What every command needs: settings and a session factory on an up-to-date schema."""

    def __init__(self, settings: Settings) -> None:
        try:
            check_broker(settings)
        except BrokerUnusable as exc:
            raise click.ClickException(str(exc)) from exc
        self.settings = settings
        configure_scoring(settings)
        try:
            self.engine = open_database(settings.db_url)
        except DatabaseUnavailable as exc:
            raise click.ClickException(str(exc)) from None  # one line, no traceback
        self.sessions: sessionmaker[Session] = make_session_factory(self.engine)


pass_app = click.make_pass_decorator(App)

"""Alembic environment: runs on the connection models.db.upgrade_schema hands in (what
`callqa db upgrade` and every command do), or, for the bare `alembic` command, on the URL of
the alembic config's `sqlalchemy.url`."""
from alembic import context

from callqa.models import Base
from callqa.models.db import make_engine
from callqa.models.search import include_object


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,  # the full-text index is SQL of its own
    )
    with context.begin_transaction():
        context.run_migrations()


def _configured_url() -> str:
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "no database to migrate: run `callqa db upgrade` (it reads CALLQA_DATABASE_URL), "
            "or set sqlalchemy.url in the alembic config"
        )
    return url


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with make_engine(_configured_url()).begin() as own_connection:
        _run(own_connection)

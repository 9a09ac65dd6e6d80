"""Alembic environment: runs on a connection handed in by models.db.upgrade_schema,
or on CALLQA_DATABASE_URL / the default SQLite file when run by the alembic command."""
from alembic import context

from callqa.models import Base
from callqa.models.db import make_engine
from callqa.settings import load_settings


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with make_engine(load_settings().db_url).begin() as own_connection:
        _run(own_connection)

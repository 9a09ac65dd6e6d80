"""The migrations build exactly the schema the models declare (autogenerate finds nothing to
do), and the newest one can be undone and applied again."""
from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from callqa.models import Base
from callqa.models.db import alembic_config, upgrade_schema


def _differences(engine) -> list:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def _index_names(engine, table: str) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes(table)}


def test_migrations_match_the_models(engine):
    assert _differences(engine) == []


def test_the_call_list_indexes_come_and_go_with_their_migration(engine):
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    assert {"ix_calls_agent_id", "ix_calls_queue_id"} <= _index_names(engine, "calls")
    assert "ix_calls_agent_started" not in _index_names(engine, "calls")
    upgrade_schema(engine)
    assert {"ix_calls_agent_started", "ix_calls_status_started"} <= _index_names(engine, "calls")
    assert "ix_item_results_item_effective_call" in _index_names(engine, "item_results")
    assert _differences(engine) == []


def test_the_bare_alembic_command_migrates_its_configured_url_or_says_what_to_run(tmp_path):
    config = alembic_config()
    with pytest.raises(RuntimeError, match="run `callqa db upgrade`"):
        command.upgrade(config, "head")
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'bare.db'}")
    command.upgrade(config, "head")
    engine = create_engine(f"sqlite:///{tmp_path / 'bare.db'}")
    try:
        assert _differences(engine) == []
    finally:
        engine.dispose()

"""The migrations build exactly the schema the models declare (autogenerate finds nothing to
do), and the newest one can be undone and applied again."""
from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import column, create_engine, inspect, select, table, text
from sqlalchemy.orm import Session

from callqa.models import Base, Call, ItemOverride, utcnow
from callqa.models.db import alembic_config, upgrade_schema
from callqa.models.search import include_object


def _differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection,
                                             opts={"include_object": include_object})
        return compare_metadata(context, Base.metadata)


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


def _calls_of_0006():
    """The columns of calls that a database at 0006 has and an old call fills (the model's
    table would add the defaults of columns added since)."""
    return table("calls", *(column(name) for name in (
        "sha256", "original_filename", "source", "storage_name", "size_bytes", "direction",
        "status", "error", "attempts", "created_at", "updated_at")))


def test_0007_adds_the_error_message_id_to_an_existing_database(engine):
    """A database from before 0007 keeps its failed calls' English errors; new ones also get
    a message id and parameters."""
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    assert "error_msgid" not in {c["name"] for c in inspect(engine).get_columns("calls")}
    with engine.begin() as connection:
        connection.execute(_calls_of_0006().insert().values(
            sha256="ab", original_filename="old.wav", source="recording", storage_name="ab.wav",
            size_bytes=4, direction="inbound", status="failed", error="empty file (0 bytes)",
            attempts=0, created_at=utcnow(), updated_at=utcnow()))
    upgrade_schema(engine)
    assert _differences(engine) == []
    with Session(engine) as session:
        call = session.scalars(select(Call)).one()
        assert (call.error, call.error_msgid, call.error_params) == (
            "empty file (0 bytes)", None, None)


def test_review_decisions_upgrade_a_database_in_place(engine):
    """Overrides made before the queue existed were made on the call page: not by listening."""
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
        connection.execute(text(
            "INSERT INTO users (id, username, password_hash, role, active, created_at) "
            "VALUES (1, 'sup', 'x', 'supervisor', :yes, :now)"), {"yes": True, "now": utcnow()})
        connection.execute(text(
            "INSERT INTO calls (id, sha256, original_filename, source, direction, status, "
            "attempts, created_at, updated_at) VALUES (1, 'ab', 'a.wav', 'recording', "
            "'inbound', 'done', 0, :now, :now)"), {"now": utcnow()})
        connection.execute(text(
            "INSERT INTO item_overrides (call_id, item_id, old_verdict, new_verdict, comment, "
            "user_id, source, created_at) VALUES (1, 'greeting', 'failed', 'passed', 'Heard.', "
            "1, 'override', :now)"), {"now": utcnow()})
    assert "decided_by_listening" not in {c["name"] for c in inspect(engine).get_columns(
        "item_overrides")}
    assert "ix_item_results_effective_call" not in _index_names(engine, "item_results")
    upgrade_schema(engine)
    assert "ix_item_results_effective_call" in _index_names(engine, "item_results")
    with Session(engine) as session:
        [override] = session.scalars(select(ItemOverride)).all()
        assert (override.comment, override.decided_by_listening) == ("Heard.", False)
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


def test_the_qa_program_upgrades_a_database_in_place(engine):
    """0015 only adds tables: a supervisor from before it is given no team, so still sees
    every call."""
    from callqa.models import Role, TeamSupervisor, User
    from callqa.queries.scope import scope_for

    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
        connection.execute(text(
            "INSERT INTO users (id, username, password_hash, role, active, created_at, "
            "session_version) VALUES (1, 'sup', 'x', 'supervisor', :yes, :now, 0)"),
            {"yes": True, "now": utcnow()})
    assert "teams" not in inspect(engine).get_table_names()
    upgrade_schema(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"teams", "team_members", "team_supervisors", "sampling_rules", "review_assignments",
            "calibration_sessions", "calibration_verdicts", "coaching_notes"} <= tables
    with Session(engine) as session:
        supervisor = session.get(User, 1)
        assert supervisor is not None and supervisor.role == Role.SUPERVISOR
        assert session.scalars(select(TeamSupervisor)).all() == []
        assert scope_for(session, supervisor).agent_ids is None  # every call
    assert _differences(engine) == []


def test_0013_upgrades_a_database_with_calls_in_place(engine):
    """Calls stored before 0013 are real calls (not test calls), keep everything that refers
    to them (on SQLite the column is added without copying the table), and get no survey."""
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
        connection.execute(text(
            "INSERT INTO calls (id, sha256, original_filename, source, direction, status, "
            "attempts, created_at, updated_at) VALUES (1, 'ab', 'a.wav', 'recording', "
            "'inbound', 'done', 0, :now, :now)"), {"now": utcnow()})
        connection.execute(text(
            "INSERT INTO users (id, username, password_hash, role, active, created_at, "
            "session_version) VALUES (1, 'sup', 'x', 'supervisor', :yes, :now, 0)"),
            {"yes": True, "now": utcnow()})
        connection.execute(text(
            "INSERT INTO feedback (call_id, author_id, text, created_at) "
            "VALUES (1, 1, 'Kept.', :now)"), {"now": utcnow()})
    assert "test_call" not in {c["name"] for c in inspect(engine).get_columns("calls")}
    upgrade_schema(engine)
    assert _differences(engine) == []
    with Session(engine) as session:
        call = session.get(Call, 1)
        assert (call.test_call, call.survey) == (False, None)
        assert session.scalar(text("SELECT text FROM feedback WHERE call_id = 1")) == "Kept."


def test_0019_adds_saved_filters_that_go_with_their_user(engine):
    """The saved filters come and go with their migration; a user's go when the user row
    does (ON DELETE CASCADE), and a name is kept once per user."""
    from sqlalchemy.exc import IntegrityError

    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0018_search_prefs")
    assert "saved_filters" not in inspect(engine).get_table_names()
    upgrade_schema(engine)
    assert _differences(engine) == []
    with engine.begin() as connection:
        for user_id, name in ((1, "sup"), (2, "other")):
            connection.execute(text(
                "INSERT INTO users (id, username, password_hash, role, active, created_at, "
                "session_version) VALUES (:id, :name, 'x', 'supervisor', :yes, :now, 0)"),
                {"id": user_id, "name": name, "yes": True, "now": utcnow()})
        for user_id in (1, 2):
            connection.execute(text(
                "INSERT INTO saved_filters (user_id, name, query, created_at) "
                "VALUES (:user_id, 'English', 'language=en', :now)"),
                {"user_id": user_id, "now": utcnow()})
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO saved_filters (user_id, name, query, created_at) "
            "VALUES (1, 'English', 'language=pl', :now)"), {"now": utcnow()})
    with engine.begin() as connection:
        assert connection.scalar(text(
            "SELECT is_default FROM saved_filters WHERE user_id = 1")) in (False, 0)
        connection.execute(text("DELETE FROM users WHERE id = 1"))
        assert connection.execute(text("SELECT user_id FROM saved_filters")).all() == [(2,)]


def test_0020_drops_workers_seen_and_its_downgrade_brings_it_back(engine):
    """The notice reads the workers table now; going back to 0019 recreates the old table,
    empty (the running workers are seen there again at their next poll)."""
    assert "workers_seen" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0019_saved_filters")
    assert "workers_seen" in inspect(engine).get_table_names()
    assert "ix_workers_seen_seen_at" in _index_names(engine, "workers_seen")
    upgrade_schema(engine)
    assert "workers_seen" not in inspect(engine).get_table_names()
    assert _differences(engine) == []

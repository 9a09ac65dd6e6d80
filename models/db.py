"""Engines, sessions and schema upgrades. Whoever owns a unit of work opens the session."""
from __future__ import annotations

import fcntl
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import CursorResult, Engine, Result, create_engine, event, make_url, text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

_MIGRATIONS = Path(__file__).parent / "migrations"
_UPGRADE_LOCK_ID = 7_345_001  # arbitrary PostgreSQL advisory lock key for schema upgrades
# What a database that is down, restarting or unreachable raises (SQLite: locked too long).
DISCONNECTS = (OperationalError, InterfaceError)


class DatabaseUnavailable(Exception):
    """The database cannot be reached; str() is one line that says which and why."""


def unavailable(url: str, exc: BaseException) -> DatabaseUnavailable:
    """"cannot reach the database postgresql+psycopg://app:***@db/callqa: connection refused"."""
    shown = make_url(url).render_as_string(hide_password=True)
    return DatabaseUnavailable(f"cannot reach the database {shown}: {driver_reason(exc)}")


def driver_reason(exc: BaseException) -> str:
    """The driver's message on one line, without SQLAlchemy's SQL and background link."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return " ".join(line.strip() for line in lines if line.strip()) or type(exc).__name__


def open_database(url: str) -> Engine:
    """An engine on an up-to-date schema; DatabaseUnavailable (one line) if the database
    cannot be reached, where the driver's error is a long traceback."""
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
    except DISCONNECTS as exc:
        engine.dispose()
        raise unavailable(url, exc) from exc
    return engine


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run through Session.execute matched. Such a result
    is a CursorResult, but Session.execute is typed as returning the wider Result."""
    return cast(CursorResult[Any], result).rowcount


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema to the newest migration; safe with several processes starting at once."""
    with _sqlite_file_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _UPGRADE_LOCK_ID})
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """SQLite has no advisory locks: serialize upgrades with a lock file beside the database."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.upgrade-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def scratch_schema(url: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty schema in the PostgreSQL database `url`, dropped with all it
    holds afterwards: a database of one's own for a test or a benchmark."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

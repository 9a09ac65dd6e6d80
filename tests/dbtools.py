"""Fresh test databases: a SQLite file, or a PostgreSQL schema dropped afterwards."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from callqa.models.db import scratch_schema

PG_URL = os.environ.get("CALLQA_TEST_DATABASE_URL", "")
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database of `kind` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'callqa.db'}"
        return
    with scratch_schema(PG_URL, "t") as url:
        yield url

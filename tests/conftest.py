"""Shared fixtures: real databases (SQLite, and PostgreSQL when configured), real audio."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from dbtools import DATABASES, fresh_database

from callqa.models.db import make_engine, make_session_factory, upgrade_schema
from callqa.qa.scoring.lemmas import configure_lemma_cache
from callqa.settings import Settings

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("CALLQA_CORPUS", REPO.parent / "shared" / "corpus"))
SAMPLES = REPO / "callqa" / "samples"
MODEL_CACHE = Path(os.environ.get("CALLQA_TEST_MODEL_CACHE", Path.home() / ".cache" / "callqa"))
configure_lemma_cache(MODEL_CACHE)  # the Polish lemma index is built once, there


def corpus_manifest() -> dict[str, dict]:
    path = CORPUS / "manifest.jsonl"
    if not path.exists():
        return {}
    return {d["id"]: d for d in map(json.loads, path.read_text().splitlines()) if d}


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not (CORPUS / "manifest.jsonl").exists():
        pytest.skip(f"test corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def manifest() -> dict[str, dict]:
    entries = corpus_manifest()
    if not entries:
        pytest.skip(f"test corpus not found at {CORPUS}")
    return entries




@pytest.fixture(params=DATABASES)
def db_url(request, tmp_path: Path):
    """A fresh, empty database: a SQLite file, or a new PostgreSQL schema dropped afterwards."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=db_url, model_cache_dir=MODEL_CACHE,
                    default_language="")


@pytest.fixture
def engine(settings: Settings):
    engine = make_engine(settings.db_url)
    upgrade_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return make_session_factory(engine)


@pytest.fixture(scope="session")
def transcriber():
    from callqa.services.transcribing import load_transcriber

    return load_transcriber(Settings(model_cache_dir=MODEL_CACHE))


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES

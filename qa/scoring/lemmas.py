"""Lemma lookups: every form a word can take maps to its dictionary form(s).

Polish: no Polish spaCy model is installable, but spacy-lookups-data carries one lemma table per
part of speech. Without a tagger the part of speech is unknown, so a form gets the lemmas of every
table that knows it ("widzenia" -> widzenie, widzieć). The merged tables (3.7 M forms) are far too
big to hold in every worker's memory, so they are built once into an indexed SQLite file in the
cache directory and queried per distinct word. Keys are folded (no case, no diacritics), so a
transcript written without Polish letters still finds its lemmas.

English: the lookup table of spaCy's lookup lemmatizer.
"""
from __future__ import annotations

import gzip
import json
import logging
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from callqa.qa.scoring.text import fold

if TYPE_CHECKING:
    from spacy.lookups import Table

log = logging.getLogger(__name__)

_INDEX_SCHEMA = 1
_CACHE_SIZE = 200_000


class LemmaLookup(Protocol):
    def lemmas(self, form: str) -> tuple[str, ...]:
        """Dictionary forms of `form` (casefolded, diacritics kept); empty when unknown."""
        ...


class NoLemmas:
    """Languages without lemma data: words match by their exact (folded) form or fuzzily."""

    def lemmas(self, form: str) -> tuple[str, ...]:
        return ()


class _CachedLookup:
    def __init__(self, query: Callable[[str], tuple[str, ...]]):
        self.lemmas = lru_cache(maxsize=_CACHE_SIZE)(query)


class EnglishLemmas(_CachedLookup):
    """spaCy's English lookup-lemmatizer table, asked for the word as written and lowercased."""

    def __init__(self, table: Table):
        self._table = table
        super().__init__(self._query)

    def _query(self, form: str) -> tuple[str, ...]:
        found = {self._table.get(form), self._table.get(form.lower())}
        return tuple(sorted(lemma.casefold() for lemma in found if lemma))


class PolishLemmaIndex(_CachedLookup):
    """Read-only SQLite index of the merged Polish lemma tables: folded form -> lemmas."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()
        super().__init__(self._query)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._local.connection = connection
        return connection

    def _query(self, form: str) -> tuple[str, ...]:
        rows = self._connection().execute(
            "SELECT lemma FROM lemma WHERE form = ?", (fold(form),)
        ).fetchall()
        return tuple(lemma for (lemma,) in rows)


def _lookups_data_dir() -> Path:
    import spacy_lookups_data

    return Path(str(spacy_lookups_data.get_file("")))


def _lookups_data_version() -> str:
    from spacy_lookups_data.about import __version__

    return __version__


def _polish_tables() -> list[Path]:
    tables = sorted(_lookups_data_dir().glob("pl_lemma_lookup_*.json*"))
    if not tables:
        raise RuntimeError("spacy-lookups-data has no Polish lemma tables (pl_lemma_lookup_*)")
    return tables


def _read_table(path: Path) -> dict[str, str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _folded_pairs(table: dict[str, str]) -> Iterator[tuple[str, str]]:
    for form, lemma in table.items():
        yield fold(form), lemma.casefold()


def build_polish_lemma_index(path: Path) -> float:
    """Write the merged Polish lemma index to `path` atomically; returns the build time (s)."""
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    connection = sqlite3.connect(partial)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("CREATE TEMP TABLE pairs (form TEXT, lemma TEXT)")
        tables = _polish_tables()
        total, done = sum(p.stat().st_size for p in tables), 0
        for table_path in tables:  # one table at a time keeps the peak memory down
            table = _read_table(table_path)
            connection.executemany("INSERT INTO pairs VALUES (?, ?)", _folded_pairs(table))
            del table
            done += table_path.stat().st_size
            if table_path.stat().st_size * 100 >= total:  # the small ones say nothing new
                log.info("Polish lemma index: %.0f %% of the tables read (%.0f s)",
                         80 * done / total, time.perf_counter() - started)
        log.info("Polish lemma index: 80 %% read, sorting and indexing (%.0f s)",
                 time.perf_counter() - started)
        connection.execute(
            "CREATE TABLE lemma (form TEXT, lemma TEXT, PRIMARY KEY (form, lemma)) WITHOUT ROWID"
        )
        connection.execute(
            "INSERT OR IGNORE INTO lemma SELECT form, lemma FROM pairs ORDER BY form, lemma"
        )
        connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        source = f"spacy-lookups-data {_lookups_data_version()}"
        connection.execute("INSERT INTO meta VALUES ('source', ?)", (source,))
        connection.commit()
    finally:
        connection.close()
    os.replace(partial, path)
    return time.perf_counter() - started


_FALLBACK_CACHE_DIR = Path(tempfile.gettempdir()) / "callqa"
_cache_dir: Path | None = None


def configure_lemma_cache(cache_dir: Path) -> None:
    """Where the Polish lemma index is built and kept (`<cache_dir>/lemmas`): the process's
    owner sets it once, before scoring (the CLI and the web app use the model cache
    directory). Unset, a directory in the system temporary directory is used."""
    global _cache_dir
    _cache_dir = cache_dir


def polish_lemma_index_path(cache_dir: Path | None = None) -> Path:
    directory = (cache_dir or _cache_dir or _FALLBACK_CACHE_DIR) / "lemmas"
    return directory / f"pl-lemmas-{_lookups_data_version()}-v{_INDEX_SCHEMA}.sqlite"


def _writable_index_path() -> Path:
    path = polish_lemma_index_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if os.access(path.parent, os.W_OK):
            return path
    except OSError:
        pass
    fallback = polish_lemma_index_path(_FALLBACK_CACHE_DIR)
    log.warning("cache directory %s is not writable; using %s", path.parent, fallback.parent)
    return fallback


_build_lock = threading.Lock()


def polish_lemmas() -> PolishLemmaIndex:
    """The Polish lemma index, built into the cache directory on first use (once per machine)."""
    return _polish_index(_writable_index_path())


@lru_cache(maxsize=2)
def _polish_index(path: Path) -> PolishLemmaIndex:
    with _build_lock:
        if not path.exists():
            # the first Polish call waits for this (about 30 s): the console and the log say so
            log.info("building the Polish lemma index at %s: once per machine, about half a "
                     "minute", path)
            seconds = build_polish_lemma_index(path)
            log.info("Polish lemma index built in %.1f s", seconds)
    return PolishLemmaIndex(path)


@lru_cache(maxsize=1)
def english_lemmas() -> EnglishLemmas:
    from spacy.pipeline import Lemmatizer

    from callqa.qa.scoring.pipelines import pipeline

    lemmatizer = pipeline("en").get_pipe("lemmatizer")
    assert isinstance(lemmatizer, Lemmatizer)  # get_pipe is typed as returning any component
    return EnglishLemmas(lemmatizer.lookups.get_table("lemma_lookup"))


def lemma_lookup(language: str) -> LemmaLookup:
    if language == "pl":
        return polish_lemmas()
    if language == "en":
        return english_lemmas()
    return NoLemmas()

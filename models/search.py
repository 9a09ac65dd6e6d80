"""The full-text index over utterances, which the models cannot declare (SQL of its own, made
by migration 0018_search_prefs): on SQLite a contentless FTS5 table `utterances_fts` (rowid =
utterances.id, the `unicode61 remove_diacritics 2` tokenizer) kept in step by triggers on
utterances, so every way an utterance is stored, redacted or deleted (a cascade too) updates
it; on PostgreSQL a GIN index over to_tsvector('simple', callqa_fold(text)), where
callqa_fold lower-cases and strips accents (unaccent when the extension can be made, else a
fixed translate of Polish and other Latin letters), stored in the generated column
utterances.search_vector (the models leave it out: the database fills it and keeps it in step
itself), with a GIN index over it.

unicode61 strips only decomposable accents, so 'ł' stays 'ł': the triggers index it as 'l'
and queries fold it the same way (`fold_for_fts`). A batch migration that recreates the
utterances table on SQLite drops the triggers: such a migration must make them again."""
from __future__ import annotations

from typing import Any

SEARCH_TABLE = "utterances_fts"
SEARCH_INDEX = "ix_utterances_search"  # PostgreSQL
SEARCH_COLUMN = "search_vector"  # PostgreSQL: utterances' generated tsvector

# what unicode61 remove_diacritics 2 leaves as it is
_NOT_DECOMPOSED = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                                 "ß": "ss"})


def fold_for_fts(text: str) -> str:
    """The text as the SQLite triggers index it (the tokenizer does the rest)."""
    return text.translate(_NOT_DECOMPOSED)


def sqlite_fold_sql(column: str) -> str:
    """fold_for_fts in SQL, for the triggers."""
    sql = column
    for letter, plain in (("ł", "l"), ("Ł", "L"), ("ø", "o"), ("Ø", "O"), ("đ", "d"),
                          ("Đ", "D"), ("ß", "ss")):
        sql = f"replace({sql}, '{letter}', '{plain}')"
    return sql


def is_search_object(name: str | None, type_: str) -> bool:
    """The index's own tables and index, which autogenerate should leave alone."""
    if not name:
        return False
    return (name == SEARCH_INDEX or (type_ == "column" and name == SEARCH_COLUMN)
            or (type_ == "table" and name.startswith(SEARCH_TABLE)))


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
                   ) -> bool:
    """Alembic's include_object: everything but the search index's own objects."""
    return not is_search_object(name, type_)

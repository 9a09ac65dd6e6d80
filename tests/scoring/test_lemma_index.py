"""The Polish lemma index: built once from the spacy-lookups-data tables into SQLite."""
from __future__ import annotations

import gzip
import json

from callqa.qa.scoring import lemmas
from callqa.qa.scoring.lemmas import PolishLemmaIndex, build_polish_lemma_index, polish_lemmas


def test_index_merges_the_part_of_speech_tables_under_folded_forms(tmp_path, monkeypatch):
    tables = {
        "verb": {"dziękuję": "dziękować", "widzenia": "widzieć", "Wiem": "wiedzieć"},
        "noun": {"widzenia": "widzenie", "dnia": "dzień"},
    }
    paths = []
    for part, table in tables.items():
        path = tmp_path / f"pl_lemma_lookup_{part}.json.gz"
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            json.dump(table, handle)
        paths.append(path)
    monkeypatch.setattr(lemmas, "_polish_tables", lambda: paths)
    target = tmp_path / "cache" / "pl.sqlite"

    assert build_polish_lemma_index(target) >= 0
    index = PolishLemmaIndex(target)
    assert index.lemmas("dziękuję") == ("dziękować",)
    assert index.lemmas("DZIEKUJE") == ("dziękować",)
    assert set(index.lemmas("widzenia")) == {"widzenie", "widzieć"}
    assert index.lemmas("wiem") == ("wiedzieć",)
    assert index.lemmas("nieznane") == ()
    assert not list(target.parent.glob("*.partial"))


def test_the_real_index_knows_polish_inflections():
    index = polish_lemmas()
    for form in ("dziękuję", "dziękujemy", "dziękowałam"):
        assert "dziękować" in index.lemmas(form)
    assert polish_lemmas() is index  # built or opened once per process


def test_the_index_lives_where_the_owner_says_or_falls_back_when_it_cannot(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setattr(lemmas, "_cache_dir", None)
    lemmas.configure_lemma_cache(tmp_path / "cache")
    assert lemmas._writable_index_path().parent == tmp_path / "cache" / "lemmas"
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    lemmas.configure_lemma_cache(blocked)
    assert lemmas._writable_index_path() == lemmas.polish_lemma_index_path(
        lemmas._FALLBACK_CACHE_DIR)

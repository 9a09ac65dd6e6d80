"""Erasure removes every row and file of one customer and nothing else, judges FCR again
where it counted an erased call, and records the erasure without personal data."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from callqa.models import Base, Call, Erasure, FcrResult
from callqa.qa.metadata import read_manifest, transcript_metadata
from callqa.services.erasure import ErasureError, erase_customer
from callqa.services.ingest import ingest_recording, ingest_transcript

CUSTOMER = "+48 601 101 207"  # cpl004's


def _rows(engine) -> dict[str, list[tuple]]:
    """Every table's rows, in the models' columns (not the search index's generated column)."""
    with engine.connect() as connection:
        return {t.name: sorted(map(tuple, connection.execute(select(*t.columns))), key=repr)
                for t in Base.metadata.sorted_tables}


@pytest.fixture
def stored(sessions, settings, samples, tmp_path: Path) -> dict[str, list[int]]:
    """Each sample call twice: as its recording and as its transcript; cpl004's customer also
    calls again the next day."""
    ids: dict[str, list[int]] = {}
    for path, meta in read_manifest(samples / "manifest.jsonl"):
        ids.setdefault(meta.external_id, []).append(
            ingest_recording(sessions, settings, path, meta).call_id)
    for line in (samples / "manifest.jsonl").read_text().splitlines():
        entry = json.loads(line)
        for suffix, day in (("", None), ("-again", "2026-11-09T10:00:00+01:00")):
            if suffix and entry["id"] != "cpl004":
                continue
            path = tmp_path / f"{entry['id']}{suffix}.json"
            path.write_text(json.dumps({**entry, "started_at": day or entry["started_at"]},
                                       ensure_ascii=False))
            outcome = ingest_transcript(sessions, settings, path, transcript_metadata(path))
            ids[entry["id"]].append(outcome.call_id)
    return ids


def test_erasure_takes_every_row_and_file_of_the_customer_and_nothing_else(
        engine, sessions, settings, stored):
    erased = set(stored["cpl004"])
    with sessions() as session:
        files = {c.id: settings.recordings_dir / c.storage_name
                 for c in session.query(Call).filter(Call.storage_name.is_not(None))}
    before = _rows(engine)
    result = erase_customer(sessions, settings, "601-101-207", "admin")
    after = _rows(engine)
    assert (result.calls, result.files) == (3, 1)
    for table, rows in before.items():
        if table == "erasures":
            continue
        kept = [row for row in rows if not _belongs_to(table, row, erased)]
        assert after[table] == kept, table
    for call_id, path in files.items():
        assert path.exists() == (call_id not in erased)
    [record] = after["erasures"]
    assert "601" not in repr(record) and "Wójcik" not in repr(record)
    with sessions() as session:
        erasure = session.get(Erasure, result.erasure_id)
        assert erasure.erased_by == "admin" and sorted(erasure.call_ids) == sorted(erased)


def _belongs_to(table: str, row: tuple, erased: set[int]) -> bool:
    columns = [c.name for c in Base.metadata.tables[table].columns]
    values = dict(zip(columns, row, strict=True))
    if table == "calls":
        return values["id"] in erased
    return values.get("call_id") in erased


def test_calls_that_counted_an_erased_call_are_judged_again(sessions, settings, stored):
    first, again = stored["cpl004"][1], stored["cpl004"][2]
    other = stored["cen025"][1]
    with sessions.begin() as session:  # a link made while both had one customer key
        session.get(Call, other).customer_key = "+15550101"
        fcr = session.get(FcrResult, other)
        fcr.repeat_of = [first]
        fcr.status = "not_fcr"
    result = erase_customer(sessions, settings, CUSTOMER, "admin")
    assert result.refreshed == 1 and again in stored["cpl004"]
    with sessions() as session:
        assert session.get(FcrResult, other).repeat_of == []


def test_an_erasure_without_a_customer_is_refused(sessions, settings, stored):
    with pytest.raises(ErasureError):
        erase_customer(sessions, settings, "  ", "admin")


def test_archived_originals_in_the_inbox_go_too(sessions, settings, samples, tmp_path: Path):
    inbox = tmp_path / "inbox"
    (inbox / "ingested").mkdir(parents=True)
    kept = inbox / "ingested" / "cen025.flac"
    shutil.copy(samples / "cpl004.flac", inbox / "ingested" / "cpl004.flac")
    shutil.copy(samples / "cen025.flac", kept)
    settings = settings.with_overrides(inbox_dir=inbox)
    for path, meta in read_manifest(samples / "manifest.jsonl"):
        ingest_recording(sessions, settings, path, meta)
    result = erase_customer(sessions, settings, CUSTOMER, "admin")
    assert result.files == 2 and kept.exists()
    assert not (inbox / "ingested" / "cpl004.flac").exists()

"""Calls with items the machine leaves in review: the sample calls as transcripts without
speaker labels (as from a mono recording transcribed elsewhere), so every phrase found may be
the customer's."""
from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from webtools import SAMPLES

from callqa.qa.metadata import transcript_metadata
from callqa.services.ingest import ingest_transcript


def ingest_unlabelled_transcripts(app: Flask, folder: Path) -> dict[str, int]:
    """Call ids by sample id; the calls keep their sample's agent, queue and start time."""
    settings = app.config["CALLQA_SETTINGS"]
    sessions = app.extensions["callqa_sessions"]
    calls = {}
    for line in (SAMPLES / "manifest.jsonl").read_text().splitlines():
        entry = json.loads(line)
        entry["id"] = f"{entry['id']}-mono"
        for turn in entry["timing"]:
            turn["speaker"] = "unknown"
        path = folder / f"{entry['id']}.json"
        path.write_text(json.dumps(entry, ensure_ascii=False))
        outcome = ingest_transcript(sessions, settings, path, transcript_metadata(path))
        assert outcome.status == "done", outcome
        calls[entry["id"].removesuffix("-mono")] = outcome.call_id
    return calls

"""Calls with items the machine leaves in review, since every phrase found may be the
customer's: the sample calls as transcripts without speaker labels (as from a mono recording
transcribed elsewhere), or a sample recording mixed down to mono and transcribed."""
from __future__ import annotations

import json
import wave
from dataclasses import replace
from pathlib import Path

from flask import Flask
from webtools import SAMPLES

from callqa.qa.audio import decode_audio
from callqa.qa.metadata import read_manifest, transcript_metadata
from callqa.services.claims import claim_next, release
from callqa.services.ingest import ingest_recording, ingest_transcript
from callqa.services.worker import Worker


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


def ingest_mono_recording(app: Flask, folder: Path, sample: str) -> int:
    """The sample's two channels mixed into one, as a mono recorder stores a call, queued."""
    path, meta = next((p, m) for p, m in read_manifest(SAMPLES / "manifest.jsonl")
                      if m.external_id == sample)
    audio = decode_audio(path)
    mono = folder / f"{sample}-mono.wav"
    with wave.open(str(mono), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio.sample_rate)
        out.writeframes((audio.mixed() * 32767).round().astype("<i2").tobytes())
    outcome = ingest_recording(app.extensions["callqa_sessions"], app.config["CALLQA_SETTINGS"],
                               mono, replace(meta, external_id=f"{sample}-mono", layout="mono"))
    assert outcome.status == "queued", outcome
    return outcome.call_id


def transcribe(app: Flask, transcriber, call_id: int) -> None:
    """The real worker on one queued recording (the ones queued before it are handed back)."""
    settings, sessions = app.config["CALLQA_SETTINGS"], app.extensions["callqa_sessions"]
    held = []
    with sessions.begin() as session:
        while (claim := claim_next(session, settings.stale_claim_s)).call_id != call_id:
            held.append(claim)
    outcome = Worker(sessions, settings, lambda: transcriber).process(claim)
    with sessions.begin() as session:
        for other in held:
            release(session, other)
    assert outcome.status == "done", outcome

"""Calls transcribed elsewhere: JSON utterances with speaker, start, end and text."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from callqa.qa.transcript import Speaker, Transcript, Utterance


class TranscriptFileError(ValueError):
    """A transcript file that cannot be used; the message names the file and the entry."""


def read_transcript_file(path: Path, language: str) -> Transcript:
    """Read `[{"speaker", "start", "end", "text"}, ...]`, or an object holding such a list
    under "utterances" or "timing" (a corpus manifest entry works as it is)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TranscriptFileError(f"{path}: not a JSON file ({exc})") from exc
    return transcript_from_timing(data, language, str(path))


def transcript_from_timing(data: Any, language: str, source: str) -> Transcript:
    """The transcript in `data`: a list of utterances, or an object with them under
    "utterances" or "timing" and maybe a "duration"; `source` names it in errors. The one
    reader of such rows: transcript files, a manifest's reference `timing`, the benchmarks."""
    rows = _utterance_list(data, source)
    utterances = sorted((_utterance(row, source, i) for i, row in enumerate(rows, start=1)),
                        key=lambda u: (u.start, u.end))
    speakers = {u.speaker for u in utterances}
    duration = _duration(data, source)
    return Transcript(
        language=language,
        duration=max([duration] + [u.end for u in utterances]),
        utterances=utterances,
        speakers_known=Speaker.UNKNOWN not in speakers,
    )


def _duration(data: Any, source: str) -> float:
    if not isinstance(data, dict) or data.get("duration") in (None, ""):
        return 0.0
    try:
        return float(data["duration"])
    except (TypeError, ValueError) as exc:
        raise TranscriptFileError(f"{source}: 'duration' must be seconds") from exc


def _utterance_list(data: Any, source: str) -> list[Any]:
    if isinstance(data, dict):
        data = data.get("utterances", data.get("timing"))
    if not isinstance(data, list):
        raise TranscriptFileError(
            f"{source}: expected a list of utterances, or an object with 'utterances' or 'timing'"
        )
    if not data:
        raise TranscriptFileError(f"{source}: the transcript has no utterances")
    return data


def _utterance(row: Any, source: str, number: int) -> Utterance:
    where = f"{source}: utterance {number}"
    if not isinstance(row, dict):
        raise TranscriptFileError(f"{where}: expected an object")
    try:
        speaker = Speaker(str(row.get("speaker", "unknown")).lower())
    except ValueError as exc:
        raise TranscriptFileError(
            f"{where}: speaker {row.get('speaker')!r} is not agent, customer or unknown"
        ) from exc
    try:
        start, end = float(row["start"]), float(row["end"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TranscriptFileError(f"{where}: 'start' and 'end' must be seconds") from exc
    if end < start or start < 0:
        raise TranscriptFileError(f"{where}: end {end} is before start {start}")
    text = str(row.get("text", "")).strip()
    if not text:
        raise TranscriptFileError(f"{where}: no text")
    return Utterance(speaker=speaker, start=start, end=end, text=text)

"""Reference transcripts from a test manifest (one JSON object per line, as in the test corpus).

The manifest's `timing` is what was said, by whom and when: scoring it measures the checklist
without speech recognition. Mono recordings still know their speakers in the reference.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from callqa.qa.transcript import Speaker, Transcript, Utterance


def read_manifest(path: str | Path) -> list[dict[str, Any]]:
    """Every call in a JSON-lines manifest; blank lines are skipped."""
    entries = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}, line {number}: not JSON: {error.msg}") from error
            if not isinstance(entry, dict) or "id" not in entry:
                raise ValueError(f"{path}, line {number}: a call needs an object with an 'id'")
            entries.append(entry)
    return entries


def transcript_from_manifest_entry(entry: dict[str, Any]) -> Transcript:
    """The reference transcript of one manifest call, from its `timing`."""
    try:
        timing = entry["timing"]
        utterances = [
            Utterance(
                speaker=Speaker(turn["speaker"]),
                start=float(turn["start"]),
                end=float(turn["end"]),
                text=turn["text"],
            )
            for turn in timing
        ]
        language = entry["language"]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"call {entry.get('id', '?')}: bad reference timing: {error}") from error
    utterances.sort(key=lambda u: (u.start, u.end))
    duration = float(entry.get("duration") or max((u.end for u in utterances), default=0.0))
    return Transcript(language=language, duration=duration, utterances=utterances)


def agent_name(entry: dict[str, Any]) -> str | None:
    agent = entry.get("agent")
    return agent.get("name") if isinstance(agent, dict) else None

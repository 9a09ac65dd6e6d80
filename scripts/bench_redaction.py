"""Redaction figures: recall and precision per entity type and language on the reference
transcripts of the generated test set (tests/redaction/data/pii_set.jsonl), the rate of
near-misses redacted (order numbers that fail the checksum, amounts, dates), and the extra
processing time per call (text, and silencing a recording). With --audio N, also N English
calls rendered with espeak-ng (if installed), transcribed by the bundled Whisper model and
redacted as the worker does.

    CALLQA_CORPUS=../shared/corpus .venv/bin/python scripts/bench_redaction.py [--audio 4]

An entity counts as found when every word of it is redacted and a detector of its type
claimed it; a redaction is right when it overlaps an entity of its type.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import wave
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from callqa.qa.redaction.audio import AudioSpan, silence_recording
from callqa.qa.redaction.detect import Entity, call_text, detect
from callqa.qa.redaction.redact import RedactionPolicy, redact_transcript
from callqa.qa.transcript_file import transcript_from_timing

REPO = Path(__file__).resolve().parents[1]
SET = REPO / "tests" / "redaction" / "data" / "pii_set.jsonl"
CORPUS = Path(os.environ.get("CALLQA_CORPUS", REPO.parent / "shared" / "corpus"))
EVERYTHING = RedactionPolicy.parse("all")
TARGETS = {"card": 0.99, "cvv": 0.99, "pesel": 0.99}


def load_set() -> list[dict]:
    return [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line]


def pieces(entry: dict, truth: dict) -> list[tuple[int, int, int]]:
    """(utterance, start, end) character ranges of one entity's words."""
    out = []
    for index, said in truth["said"]:
        text = entry["timing"][index]["text"]
        at = text.find(said)
        assert at >= 0, (entry["id"], said)
        out.append((index, at, at + len(said)))
    return out


def evaluate_text(calls: list[dict]) -> tuple[dict, Counter, Counter, list[float]]:
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    near, near_hit = Counter(), Counter()
    times = []
    for entry in calls:
        language = entry["language"]
        transcript = transcript_from_timing(entry, language, entry["id"])
        started = time.perf_counter()
        redact_transcript(transcript, EVERYTHING)
        times.append(time.perf_counter() - started)
        text = call_text(transcript)
        found = detect(text, EVERYTHING.text)
        truths = [(t["entity"], pieces(entry, t)) for t in entry["entities"]]
        claimed = {(t.utterance, t.char_start) for f in found for t in f.tokens}

        def overlaps(span, ranges) -> bool:
            return any(t.utterance == u and t.char_start < e and t.char_end > s
                       for t in span.tokens for u, s, e in ranges)

        for entity, ranges in truths:
            if entity.startswith("near_miss:"):
                kind = entity.split(":")[1]
                near[(kind, language)] += 1
                near_hit[(kind, language)] += any(overlaps(f, ranges) for f in found)
                continue
            inside = [t for t in text.tokens for u, s, e in ranges
                      if t.utterance == u and t.char_start >= s and t.char_end <= e]
            typed = all(any(f.entity == entity and overlaps(f, [r]) for f in found)
                        for r in ranges)
            whole = all((t.utterance, t.char_start) in claimed for t in inside)
            counts[(entity, language)]["entities"] += 1
            counts[(entity, language)]["found"] += typed and whole
        for f in found:
            right = any(f.entity == entity and overlaps(f, ranges) for entity, ranges in truths)
            counts[(f.entity.value, language)]["redactions"] += 1
            counts[(f.entity.value, language)]["right"] += right
    return counts, near, near_hit, times


def print_text_figures(calls: list[dict]) -> bool:
    counts, near, near_hit, times = evaluate_text(calls)
    print(f"Reference text: {len(calls)} calls of {SET.relative_to(REPO)}")
    print(f"{'entity':10} {'lang':4} {'entities':>8} {'recall':>8} {'redacted':>8} "
          f"{'precision':>9}")
    ok = True
    for entity in Entity:
        for language in ("pl", "en"):
            c = counts.get((entity.value, language))
            if not c:
                continue
            recall = c["found"] / c["entities"] if c["entities"] else float("nan")
            precision = c["right"] / c["redactions"] if c["redactions"] else float("nan")
            target = TARGETS.get(entity.value)
            flag = ""
            if target and recall < target or c["redactions"] and precision < 0.98:
                flag, ok = "  below target", False
            print(f"{entity.value:10} {language:4} {c['entities']:8} {recall:8.1%} "
                  f"{c['redactions']:8} {precision:9.1%}{flag}")
    print("Near-misses redacted (false redactions):")
    for (kind, language), total in sorted(near.items()):
        print(f"  {kind:8} {language}: {near_hit[(kind, language)]}/{total} "
              f"({near_hit[(kind, language)] / total:.1%})")
    print(f"Text redaction time per call: mean {statistics.mean(times) * 1000:.2f} ms, "
          f"max {max(times) * 1000:.2f} ms")
    return ok


def print_audio_time() -> None:
    files = sorted((CORPUS / "audio").glob("c*.*"))[:6] if CORPUS.is_dir() else []
    if not files:
        print("Audio silencing time: corpus not found, not measured")
        return
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for path in files:
            copy = Path(folder) / path.name
            shutil.copy(path, copy)
            started = time.perf_counter()
            silence_recording(copy, [AudioSpan(1, 5.0, 8.0), AudioSpan(1, 12.0, 13.5),
                                     AudioSpan(0, 20.0, 21.0)])
            rows.append((path.name, time.perf_counter() - started))
    print("Audio silencing time per call (3 spans, write + verify + replace):")
    for name, seconds in rows:
        print(f"  {name:12} {seconds:6.2f} s")


# --- rendered English calls -------------------------------------------------------------------

RATE = 8000


def _espeak(text: str, voice: str, folder: Path) -> np.ndarray:
    out = folder / "turn.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(out), text], check=True,
                   capture_output=True)
    with wave.open(str(out)) as w:
        rate = w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32)
    # 8 kHz like a contact-center recording
    positions = np.arange(0, len(samples), rate / RATE)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def render(entry: dict, folder: Path) -> tuple[Path, list[dict]]:
    """A stereo 8 kHz WAV, agent left, customer right; the turns with their real times."""
    tracks: list[list[np.ndarray]] = [[], []]
    timing, clock = [], 0.5
    for turn in entry["timing"]:
        voice = "en-gb" if turn["speaker"] == "agent" else "en-us"
        audio = _espeak(turn["text"], voice, folder)
        channel = 0 if turn["speaker"] == "agent" else 1
        start = int(clock * RATE)
        for index, track in enumerate(tracks):
            length = sum(len(a) for a in track)
            pad = np.zeros(max(start - length, 0), dtype=np.float32)
            track.append(pad)
            if index == channel:
                track.append(audio)
        timing.append({**turn, "start": clock, "end": clock + len(audio) / RATE})
        clock += len(audio) / RATE + 0.6
    length = max(sum(len(a) for a in t) for t in tracks)
    stereo = np.zeros((length, 2), dtype=np.float32)
    for index, track in enumerate(tracks):
        joined = np.concatenate(track)
        stereo[:len(joined), index] = joined
    path = folder / f"{entry['id']}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.clip(stereo, -32768, 32767).astype(np.int16).tobytes())
    return path, timing


def print_audio_figures(calls: list[dict], count: int) -> None:
    if shutil.which("espeak-ng") is None:
        print("Audio: espeak-ng is not installed (apt-get install espeak-ng): not measured")
        return
    from callqa.qa.scoring import default_scorecard
    from callqa.services.transcribing import Recording, load_transcriber, transcribe_recording
    from callqa.settings import Settings

    settings = Settings(second_look=False)
    transcriber = load_transcriber(settings)
    english = [c for c in calls if c["language"] == "en"][:count]
    counts: dict[str, Counter] = defaultdict(Counter)
    seconds = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for entry in english:
            path, timing = render(entry, folder)
            transcript = transcribe_recording(Recording(path, "en", "agent-left"), settings,
                                              transcriber, default_scorecard())
            started = time.perf_counter()
            redacted = redact_transcript(transcript, EVERYTHING)
            silence_recording(path, [AudioSpan(s.channel, s.start, s.end)
                                     for s in redacted.spans])
            seconds.append(time.perf_counter() - started)
            truths = [(t["entity"], [(timing[i]["start"], timing[i]["end"]) for i, _ in t["said"]])
                      for t in entry["entities"] if not t["entity"].startswith("near_miss:")]
            for entity, windows in truths:
                counts[entity]["entities"] += 1
                counts[entity]["found"] += all(
                    any(s.entity == entity and s.start < e and s.end > b for s in redacted.spans)
                    for b, e in windows)
            for span in redacted.spans:
                counts[span.entity.value]["redactions"] += 1
                counts[span.entity.value]["right"] += any(
                    span.entity == entity and span.start < e and span.end > b
                    for entity, windows in truths for b, e in windows)
    print(f"Rendered English audio: {len(english)} calls (espeak-ng voices, 8 kHz stereo, "
          f"Whisper base)")
    for entity, c in sorted(counts.items()):
        recall = c["found"] / c["entities"] if c["entities"] else float("nan")
        precision = c["right"] / c["redactions"] if c["redactions"] else float("nan")
        print(f"  {entity:10} entities {c['entities']:3}  recall {recall:6.1%}  "
              f"redacted {c['redactions']:3}  precision {precision:6.1%}")
    print(f"  redaction of text and audio per call: mean {statistics.mean(seconds):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--audio", type=int, default=0, help="rendered English calls")
    args = parser.parse_args()
    calls = load_set()
    ok = print_text_figures(calls)
    print_audio_time()
    if args.audio:
        print_audio_figures(calls, args.audio)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()

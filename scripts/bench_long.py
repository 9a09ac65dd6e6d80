"""Peak memory and speed of the worker's transcription path on one long stereo recording.

Synthesizes an HOURS-long 16 kHz stereo WAV on disk from the English agent-left corpus calls, one
after the other with a pause between them (a long call as a QA department gets them: many
turns, pauses), then runs `transcribe_recording` — what the worker runs, second look
included — on it in a child process per mode, and prints the child's peak RSS
(getrusage ru_maxrss) and × real time:

    .venv/bin/python scripts/bench_long.py --hours 1                  # pieces, then whole
    .venv/bin/python scripts/bench_long.py --hours 4 --modes pieces
    .venv/bin/python scripts/bench_long.py --hours 4 --decode-only    # decoding alone: fast

`whole` is the path calls up to CALLQA_PIECES_OVER_S take (decode_audio, every sample at
once); `pieces` the one longer calls take (CALLQA_PIECE_S, default from Settings). The
recording is 460 MB per hour on disk, written to --audio (default in /tmp) and kept for the
next run. A 4 h transcription takes 25-50 minutes on 2 cores; run one benchmark at a time.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from callqa.qa.audio import AudioOptions, decode_audio, stream_audio
from callqa.qa.metadata import read_manifest_entries
from callqa.qa.pieces import cut_pieces
from callqa.qa.second_look import SecondLookOptions
from callqa.services.score_store import rules_for
from callqa.services.transcribing import (
    Recording,
    load_transcriber,
    piece_options,
    transcribe_recording,
)
from callqa.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(os.environ.get("CALLQA_CORPUS", REPO.parent / "shared" / "corpus"))
RATE = 16000
PAUSE_S = 2.0
MODES = ("pieces", "whole")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--modes", default="pieces,whole",
                        help="comma-separated, run in this order: pieces, whole")
    parser.add_argument("--decode-only", action="store_true",
                        help="decode (whole, or piece by piece) without transcribing")
    parser.add_argument("--piece-s", type=float, help="default: Settings (CALLQA_PIECE_S)")
    parser.add_argument("--audio", type=Path, help="the recording to write (or reuse)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    audio = args.audio or Path(tempfile.gettempdir()) / f"callqa-long-{args.hours:g}h.wav"
    if not audio.exists():
        seconds = write_long_call(audio, args.corpus, args.hours * 3600)
        print(f"wrote {audio}: {seconds / 3600:.2f} h, {audio.stat().st_size / 2**20:.0f} MB",
              flush=True)
    print(f"machine: {os.cpu_count()} cores, {_cpu_name()}; "
          f"{'decode only' if args.decode_only else 'transcribe_recording'}")
    rows = [_run(mode, audio, args) for mode in args.modes.split(",")]
    print(f"\n{'mode':8} {'audio h':>8} {'wall s':>8} {'x real time':>12} {'peak MB':>8}"
          f" {'model MB':>9} {'piece s':>8} {'pieces':>6} {'utterances':>10}")
    for row in rows:
        if "error" in row:
            print(f"{row['mode']:8} failed: {row['error']}")
            continue
        print(f"{row['mode']:8} {row['audio_s'] / 3600:8.2f} {row['wall_s']:8.0f}"
              f" {row['wall_s'] / row['audio_s']:12.4f} {row['peak_mb']:8.0f}"
              f" {row.get('model_mb', 0):9.0f} {row.get('piece_s') or '-':>8}"
              f" {row.get('pieces', '-'):>6} {row.get('utterances', '-'):>10}")
    return 0


def write_long_call(path: Path, corpus: Path, seconds: float) -> float:
    """The English stereo corpus calls in turn, a pause after each, until `seconds`; written
    as it goes (16-bit PCM). Returns the length written."""
    calls = [entry.recording for entry in read_manifest_entries(corpus / "manifest.jsonl")
             if entry.metadata.language == "en" and entry.metadata.layout == "agent-left"]
    clips = [_pcm(np.stack(decode_audio(call).channels)) for call in sorted(calls)]
    pause = bytes(int(PAUSE_S * RATE) * 4)
    target, written = int(seconds * RATE), 0
    partial = path.with_name(path.name + ".part")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        while written < target:
            for clip in clips:
                frames = min(len(clip) // 4, target - written)
                out.writeframes(clip[:frames * 4])
                written += frames
                frames = min(len(pause) // 4, target - written)
                out.writeframes(pause[:frames * 4])
                written += frames
                if written >= target:
                    break
    partial.rename(path)
    return written / RATE


def _pcm(samples: np.ndarray) -> bytes:
    return (np.clip(samples.T, -1, 1) * 32767).astype("<i2").tobytes()


def _run(mode: str, audio: Path, args: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--audio", str(audio)]
    if args.decode_only:
        command.append("--decode-only")
    if args.piece_s:
        command += ["--piece-s", str(args.piece_s)]
    print(f"{mode}: {' '.join(command)}", flush=True)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:  # killed for memory, say: its peak is still the children's
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return {"mode": mode, "error": (done.stderr.strip().splitlines() or ["?"])[-1]
                + f" (exit {done.returncode}, largest child so far {peak_mb:.0f} MB)"}
    row = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  {row}", flush=True)
    return row


def _child(args: argparse.Namespace) -> int:
    settings = _settings(args.child, args.piece_s)
    if args.decode_only:
        row = _decode(args.child, args.audio, settings)
    else:
        row = _transcribe(args.audio, settings)
    row.update(mode=args.child, peak_mb=_peak_mb())
    print(json.dumps(row))
    return 0


def _settings(mode: str, piece_s: float | None) -> Settings:
    settings = load_settings()
    if mode == "whole":
        return settings.with_overrides(pieces_over_s=math.inf)
    return settings.with_overrides(pieces_over_s=0.0, piece_s=piece_s)


def _decode(mode: str, audio: Path, settings: Settings) -> dict:
    options = AudioOptions(max_duration_s=settings.max_duration_s)
    started = time.perf_counter()
    if mode == "whole":
        decoded = decode_audio(audio, options)
        seconds, pieces = decoded.duration, 1
        del decoded
    else:
        seconds, pieces = 0.0, 0
        with stream_audio(audio, options) as (_info, blocks):
            for piece in cut_pieces(blocks, RATE, piece_options(settings, SecondLookOptions())):
                seconds += len(piece.channels[0]) / RATE
                pieces += 1
                del piece
    return {"audio_s": seconds, "wall_s": time.perf_counter() - started, "pieces": pieces,
            "piece_s": settings.piece_s if mode == "pieces" else None}


def _transcribe(audio: Path, settings: Settings) -> dict:
    transcriber = load_transcriber(settings)
    model_mb = _peak_mb()
    scorecard = rules_for(settings).scorecard
    started, cpu = time.perf_counter(), time.process_time()
    transcript = transcribe_recording(Recording(audio, "en", "agent-left"), settings,
                                      transcriber, scorecard)
    in_pieces = transcript.duration > settings.pieces_over_s
    return {"audio_s": transcript.duration, "wall_s": time.perf_counter() - started,
            "cpu_s": time.process_time() - cpu, "model_mb": model_mb,
            "piece_s": settings.piece_s if in_pieces else None,
            "utterances": len(transcript.utterances)}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())

"""Where the time goes, per audio minute, for faster-whisper on corpus calls.

Each stage is timed on its own, or as the difference of two runs that differ by that stage
alone, on the same calls, interleaved call by call so that machine load falls on every
stage alike:

- decode: the file decoded at its own sample rate; resample: decoding to 16 kHz, less that;
- VAD: the voice detector over each track;
- features + encoder: the mel spectrogram and one encoder pass per 30 s window decoded;
- decoder: the transcription without word timestamps, less VAD, features and encoder;
- word timestamps: with them, less without;
- loop retry: with the retry, less without (only calls that loop pay it);
- scoring: checklist, metrics and FCR signals of the transcript.

    .venv/bin/python scripts/profile_transcribe.py [--calls 6] [--language en] [--beam-size 5]

Times are this process's CPU seconds (one thread by default), so other work on the machine
slows the run but changes the figures little; multiply audio minutes per CPU minute by the
cores for a machine of one worker per core. The corpus is only read here, never by the product.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from callqa.qa.audio import AudioOptions, decode_audio, probe_audio
from callqa.qa.metadata import read_manifest_entries
from callqa.qa.transcription import (
    SAMPLE_RATE,
    EngineOptions,
    FasterWhisperTranscriber,
    call_tracks,
    load_engine,
    speech_spans,
    transcribe_channels,
)
from callqa.services.score_store import assess_transcript, rules_for
from callqa.services.transcribing import transcribe_options
from callqa.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
STAGES = ("decode", "resample", "vad", "features+encoder", "decoder", "word timestamps",
          "loop retry", "scoring")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--calls", type=int, default=None)
    parser.add_argument("--language", choices=("pl", "en"), default=None)
    parser.add_argument("--beam-size", type=int, default=None)
    parser.add_argument("--cpu-threads", type=int, default=1)
    args = parser.parse_args(argv)
    settings = load_settings().with_overrides(cpu_threads=args.cpu_threads,
                                              beam_size=args.beam_size)
    engine = load_engine(EngineOptions(settings.whisper_model, settings.model_cache_dir,
                                       cpu_threads=settings.cpu_threads))
    assert isinstance(engine, FasterWhisperTranscriber)
    rules = rules_for(settings)
    entries = [e for e in read_manifest_entries(args.corpus / "manifest.jsonl")
               if args.language in (None, e.metadata.language)][:args.calls]
    totals: dict[str, float] = defaultdict(float)
    audio_s = 0.0
    windows = 0
    for entry in entries:
        seconds = profile_call(entry, engine, settings, rules)
        audio_s += seconds.pop("audio")
        windows += int(seconds.pop("windows"))
        for stage, value in seconds.items():
            totals[stage] += value
        print(f"{entry.call_id}: " + ", ".join(f"{k} {v:.2f}s" for k, v in seconds.items()),
              file=sys.stderr, flush=True)
    minutes = audio_s / 60
    print(f"{len(entries)} calls, {audio_s:.0f} s audio, beam {settings.beam_size}, "
          f"{args.cpu_threads} thread(s); CPU seconds per audio minute:")
    whole = sum(totals.values())
    for stage in STAGES:
        print(f"  {stage:17} {totals[stage] / minutes:7.3f}  ({totals[stage] / whole:5.1%})")
    print(f"  {'total':17} {whole / minutes:7.3f}  = {whole / audio_s:.3f} CPU s per audio s, "
          f"{audio_s / whole:.1f} audio min per CPU min")
    if windows:
        print(f"30 s windows of speech (VAD-joined, per track): {windows}, "
              f"{windows / minutes:.2f} per audio minute; per window: features + encoder "
              f"{totals['features+encoder'] / windows:.2f} CPU s, decoder "
              f"{totals['decoder'] / windows:.2f} CPU s")
    return 0


def profile_call(entry, engine: FasterWhisperTranscriber, settings, rules) -> dict[str, float]:
    native = probe_audio(entry.recording).sample_rate
    started = time.process_time()
    decode_audio(entry.recording, AudioOptions(sample_rate=native))
    decoded_native = time.process_time() - started
    started = time.process_time()
    audio = decode_audio(entry.recording)
    decoded = time.process_time() - started
    tracks = call_tracks(audio.channels, audio.mixed, entry.metadata.layout or "agent-left")
    language = entry.metadata.language or "en"
    options = transcribe_options(settings, language, entry.metadata.agent_name)

    started = time.process_time()
    spans = [speech_spans(track) for _, _, track in tracks]
    vad = time.process_time() - started
    started = time.process_time()
    windows = sum(_encode_windows(engine, track, track_spans)
                  for (_, _, track), track_spans in zip(tracks, spans, strict=True))
    encoder = time.process_time() - started

    def timed(**changes) -> tuple[float, object]:
        begun = time.process_time()
        transcript = transcribe_channels(tracks, audio.duration, engine,
                                         replace(options, **changes))
        return time.process_time() - begun, transcript

    plain, _ = timed(word_timestamps=False, loop_compression_ratio=None)
    with_words, _ = timed(loop_compression_ratio=None)
    full, transcript = timed()
    started = time.process_time()
    assess_transcript(transcript, rules, entry.metadata.agent_name)  # type: ignore[arg-type]
    scoring = time.process_time() - started
    return {
        "audio": audio.duration, "windows": windows,
        "decode": decoded_native, "resample": max(0.0, decoded - decoded_native), "vad": vad,
        "features+encoder": encoder, "decoder": max(0.0, plain - vad - encoder),
        "word timestamps": max(0.0, with_words - plain), "loop retry": max(0.0, full - with_words),
        "scoring": scoring,
    }


def _encode_windows(engine: FasterWhisperTranscriber, track: np.ndarray,
                    spans: list[tuple[float, float]]) -> int:
    """The mel features and an encoder pass for each 30 s window of the track's speech, as
    the VAD gate joins it (the decoder may take a window more where it stops early)."""
    from faster_whisper.audio import pad_or_trim

    model = engine._model
    speech = np.concatenate([track[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)] for a, b in spans]
                            or [np.zeros(0, np.float32)])
    if not speech.size:
        return 0
    features = model.feature_extractor(speech)
    frames = model.feature_extractor.nb_max_frames
    count = 0
    for start in range(0, features.shape[-1], frames):
        model.encode(pad_or_trim(features[:, start:start + frames]))
        count += 1
    return count


if __name__ == "__main__":
    sys.exit(main())

"""How the scorecard's hearing thresholds were chosen: transcribe the corpus once the way the
worker does (with and without the second look), then score it under a range of thresholds
and print, per language, the precision of `failed` and `passed` verdicts and the share of
calls decided, for the greeting, thanks and goodbye items.

    .venv/bin/python scripts/sweep_hearing.py --manifest ../shared/corpus/manifest.jsonl

The default chosen is the lowest `min_word_probability` at which `failed` is right at least
95 % of the time in each language. Transcripts are cached (`--cache`), so a second run only
scores.
"""
from __future__ import annotations

import argparse
import pickle
import sys
import time
from dataclasses import replace
from pathlib import Path

from callqa.qa.metadata import ManifestEntry, read_manifest_entries
from callqa.qa.scoring import ScoringContext, Verdict, default_scorecard, score_transcript
from callqa.qa.scoring.scorecard import HearingOptions, Scorecard
from callqa.qa.transcript import Transcript
from callqa.services.evaluation import recognized_transcript
from callqa.services.transcribing import load_transcriber
from callqa.settings import load_settings

ITEMS = ("greeting", "thanks", "goodbye")
PROBABILITIES = (0.0, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7)
NO_NEAR_MISS = 101.0  # a similarity no letters reach


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=Path("artifacts/sweep-hearing"))
    args = parser.parse_args()
    entries = read_manifest_entries(args.manifest)
    transcripts = {look: _transcripts(entries, look, args.cache) for look in (False, True)}
    print(f"{'second look':11}  {'p':>5}  {'near miss':9}  "
          f"{'lang':4}  {'failed right':>12}  {'passed right':>12}  {'decided':>9}")
    for look, by_call in transcripts.items():
        for probability in PROBABILITIES:
            for near_miss in (NO_NEAR_MISS, HearingOptions().near_miss_similarity):
                card = _scorecard(probability, near_miss)
                for language, (failed, failed_right, passed, passed_right, n) in sorted(
                        _figures(entries, by_call, card).items()):
                    print(f"{'on' if look else 'off':11}  {probability:5.2f}  "
                          f"{'off' if near_miss == NO_NEAR_MISS else f'{near_miss:g} %':9}  "
                          f"{language:4}  {_share(failed_right, failed):>12}  "
                          f"{_share(passed_right, passed):>12}  {_share(failed + passed, n):>9}")
    return 0


def _transcripts(entries: list[ManifestEntry], look: bool, cache: Path
                 ) -> dict[str, Transcript]:
    path = cache / f"transcripts-second-look-{'on' if look else 'off'}.pickle"
    if path.exists():
        with path.open("rb") as stream:
            return pickle.load(stream)
    settings = replace(load_settings(), second_look=look)
    transcriber, scorecard = load_transcriber(settings), default_scorecard()
    started, transcripts = time.perf_counter(), {}
    for entry in entries:
        print(f"transcribing {entry.call_id} (second look {'on' if look else 'off'})",
              file=sys.stderr, flush=True)
        transcripts[entry.call_id] = recognized_transcript(entry, settings, transcriber,
                                                           scorecard)
    print(f"second look {'on' if look else 'off'}: {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    cache.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        pickle.dump(transcripts, stream)
    return transcripts


def _scorecard(probability: float, near_miss: float) -> Scorecard:
    base = default_scorecard()
    hearing = replace(base.hearing, min_word_probability=probability,
                      near_miss_similarity=near_miss)
    return replace(base, version=f"{base.version}-sweep-{probability}-{near_miss}",
                   items=tuple(replace(item, hearing=hearing) for item in base.items))


def _figures(entries: list[ManifestEntry], transcripts: dict[str, Transcript],
             card: Scorecard) -> dict[str, list[int]]:
    """Per language: [failed, failed rightly, passed, passed rightly, item verdicts]."""
    figures: dict[str, list[int]] = {}
    for entry in entries:
        result = score_transcript(transcripts[entry.call_id], card,
                                  ScoringContext(entry.metadata.agent_name))
        counts = figures.setdefault(entry.metadata.language or "?", [0, 0, 0, 0, 0])
        for item in ITEMS:
            truth, verdict = entry.expect[item], result.item(item).verdict
            counts[4] += 1
            if verdict is Verdict.FAILED:
                counts[0] += 1
                counts[1] += truth is False
            elif verdict is Verdict.PASSED:
                counts[2] += 1
                counts[3] += truth is True
    return figures


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole}" + (f" {100 * part / whole:3.0f}%" if whole else "     -")


if __name__ == "__main__":
    sys.exit(main())

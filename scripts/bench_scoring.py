"""Scoring speed: pipeline load time, then transcripts scored per second (target: 200/s).

    python scripts/bench_scoring.py [--manifest /work/shared/corpus/manifest.jsonl] [--seconds 5]

Scores the manifest's reference transcripts round after round with the default scorecard.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

_STARTED = time.perf_counter()

from callqa.qa.metadata import read_manifest_entries  # noqa: E402
from callqa.qa.metrics import call_metrics  # noqa: E402
from callqa.qa.scoring import ScoringContext, default_scorecard, score_transcript, warm_up  # noqa: E402
from callqa.qa.scoring.lemmas import polish_lemma_index_path  # noqa: E402
from callqa.services.score_store import configure_scoring  # noqa: E402
from callqa.settings import load_settings  # noqa: E402

TARGET_PER_SECOND = 200
_IMPORTED = time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", default="/work/shared/corpus/manifest.jsonl")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to keep scoring")
    parser.add_argument("--metrics", action="store_true", help="also compute call metrics")
    args = parser.parse_args()

    configure_scoring(load_settings())  # the lemma index where the product keeps it
    entries = read_manifest_entries(Path(args.manifest))
    calls = [
        (entry.reference_transcript(), ScoringContext(entry.metadata.agent_name))
        for entry in entries
    ]
    languages = sorted({transcript.language for transcript, _ in calls})

    index_existed = polish_lemma_index_path().exists()
    started = time.perf_counter()
    scorecard = default_scorecard()
    timings = warm_up(languages, scorecard)
    load = time.perf_counter() - started
    built = "" if index_existed or "pl" not in languages else " (built the Polish lemma index)"
    detail = ", ".join(f"{language} {seconds:.2f} s" for language, seconds in timings.items())
    print(f"imports (spaCy, rapidfuzz, yaml) {_IMPORTED - _STARTED:.2f} s")
    print(f"pipelines loaded in {load:.2f} s{built}: {detail}")

    started = time.perf_counter()
    for transcript, context in calls:  # cold: every word looked up for the first time
        score_transcript(transcript, scorecard, context)
    cold = time.perf_counter() - started
    print(f"first round (cold word caches): {len(calls)} transcripts in {cold:.3f} s, "
          f"{len(calls) / cold:.0f}/s")

    scored, rounds = 0, 0
    started = time.perf_counter()
    while time.perf_counter() - started < args.seconds:
        for transcript, context in calls:
            score_transcript(transcript, scorecard, context)
            if args.metrics:
                call_metrics(transcript)
        scored += len(calls)
        rounds += 1
    elapsed = time.perf_counter() - started
    rate = scored / elapsed
    verdict = "OK" if rate >= TARGET_PER_SECOND else f"BELOW the {TARGET_PER_SECOND}/s target"
    print(
        f"scored {scored} transcripts ({rounds} rounds of {len(calls)}) in {elapsed:.2f} s: "
        f"{rate:.0f} transcripts/s, {1000 / rate:.2f} ms each — {verdict}"
    )
    return 0 if rate >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())

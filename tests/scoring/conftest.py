"""Fixtures for the scoring tests: the default scorecard and small hand-made calls."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from callqa.qa.metadata import ManifestEntry, read_manifest_entries
from callqa.qa.scoring import Scorecard, default_scorecard
from callqa.qa.transcript import Speaker, Transcript, Utterance, Word

Turn = tuple[str, float, str]  # speaker, start seconds, text
MakeCall = Callable[..., Transcript]
CORPUS = Path(os.environ.get("CALLQA_CORPUS", "/work/shared/corpus"))


@pytest.fixture(scope="session")
def scorecard() -> Scorecard:
    return default_scorecard()


@pytest.fixture(scope="session")
def corpus_entries() -> list[ManifestEntry]:
    """The test corpus manifest's calls (skips when the corpus is not there)."""
    manifest = CORPUS / "manifest.jsonl"
    if not manifest.exists():
        pytest.skip(f"test corpus not found at {CORPUS}")
    return read_manifest_entries(manifest)


def _utterance(speaker: str, start: float, text: str, word_probability: float | None) -> Utterance:
    end = start + max(1.0, 0.4 * len(text.split()))
    words: tuple[Word, ...] = ()
    if word_probability is not None:  # recognizer-style words, evenly spread over the utterance
        parts = text.split()
        step = (end - start) / len(parts)
        words = tuple(
            Word(f" {part}", start + i * step, start + (i + 1) * step, word_probability)
            for i, part in enumerate(parts)
        )
    return Utterance(Speaker(speaker), start, end, text, words=words)


@pytest.fixture
def make_call() -> MakeCall:
    """make_call("pl", ("agent", 0.5, "Dzień dobry."), ..., mono=False, duration=None)."""

    def make(
        language: str,
        *turns: Turn,
        mono: bool = False,
        duration: float | None = None,
        word_probability: float | None = None,
    ) -> Transcript:
        utterances = [
            _utterance("unknown" if mono else speaker, start, text, word_probability)
            for speaker, start, text in turns
        ]
        end = max((u.end for u in utterances), default=0.0)
        return Transcript(language, duration or end, utterances, speakers_known=not mono)

    return make

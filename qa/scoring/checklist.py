"""Scoring a transcript against a scorecard: the entry point the worker and the CLI call."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from callqa.qa.scoring.call import AnalyzedCall, ScoringContext
from callqa.qa.scoring.pipelines import analyzer
from callqa.qa.scoring.results import ScorecardResult
from callqa.qa.scoring.rules import CompiledItem, check_item, compile_item
from callqa.qa.scoring.score import compute_score
from callqa.qa.scoring.scorecard import Scorecard, default_scorecard
from callqa.qa.transcript import Transcript

_compiled: dict[tuple[str, str], tuple[CompiledItem, ...]] = {}
_compile_lock = threading.Lock()
_COMPILED_LIMIT = 64


def score_transcript(
    transcript: Transcript,
    scorecard: Scorecard | None = None,
    context: ScoringContext | None = None,
) -> ScorecardResult:
    """Every item of `scorecard` (the default one if None) checked on `transcript`."""
    scorecard = scorecard or default_scorecard()
    context = context or ScoringContext()
    language = normalize_language(transcript.language)
    call = AnalyzedCall(transcript, analyzer(language))
    items = tuple(check_item(item, call, context) for item in compiled_items(scorecard, language))
    score = compute_score(items, scorecard.critical_cap)
    return ScorecardResult(
        scorecard_id=scorecard.id,
        scorecard_version=scorecard.version,
        language=language,
        speakers_known=transcript.speakers_known,
        score=score.value,
        passed_weight=score.passed_weight,
        applicable_weight=score.applicable_weight,
        critical_failed=score.critical_failed,
        capped=score.capped,
        items=items,
    )


def normalize_language(language: str) -> str:
    """"pl", "PL", "pl-PL" -> "pl"."""
    return language.strip().lower().replace("_", "-").split("-")[0] or "und"


def compiled_items(scorecard: Scorecard, language: str) -> tuple[CompiledItem, ...]:
    """The scorecard's items compiled for `language`, once per scorecard version and language."""
    key = (scorecard.version, language)
    items = _compiled.get(key)
    if items is None:
        with _compile_lock:
            items = _compiled.get(key)
            if items is None:
                items = tuple(compile_item(i, scorecard, language) for i in scorecard.items)
                if len(_compiled) >= _COMPILED_LIMIT:
                    _compiled.clear()
                _compiled[key] = items
    return items


def warm_up(
    languages: Iterable[str] = ("pl", "en"), scorecard: Scorecard | None = None
) -> dict[str, float]:
    """Load pipelines and lemma data and compile the scorecard; seconds spent per language."""
    scorecard = scorecard or default_scorecard()
    timings = {}
    for language in languages:
        started = time.perf_counter()
        compiled_items(scorecard, normalize_language(language))
        timings[language] = time.perf_counter() - started
    return timings

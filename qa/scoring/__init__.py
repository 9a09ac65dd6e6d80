"""Courtesy checklist scoring: scorecards, phrase matching that survives ASR, verdicts, evidence.

    from callqa.qa.scoring import default_scorecard, score_transcript
    result = score_transcript(transcript, default_scorecard(), ScoringContext(agent_name="Anna"))
    result.to_dict()  # JSON for storage
"""
from callqa.qa.scoring.call import ScoringContext
from callqa.qa.scoring.checklist import score_transcript, warm_up
from callqa.qa.scoring.results import Evidence, ItemResult, LookedIn, ScorecardResult, Verdict
from callqa.qa.scoring.scorecard import (
    Scorecard,
    ScorecardError,
    default_scorecard,
    load_scorecard,
    parse_scorecard,
)

__all__ = [
    "Evidence",
    "ItemResult",
    "LookedIn",
    "Scorecard",
    "ScorecardError",
    "ScorecardResult",
    "ScoringContext",
    "Verdict",
    "default_scorecard",
    "load_scorecard",
    "parse_scorecard",
    "score_transcript",
    "warm_up",
]

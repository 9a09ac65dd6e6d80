"""Every Okay/Fail/Review/N/A example in the docstrings of qa.scoring.rules, as a test case."""
from __future__ import annotations

import pytest

from callqa.qa.scoring import score_transcript
from callqa.qa.scoring.examples import rule_examples
from callqa.qa.scoring.rules import CONDITIONS, KIND_CHECKS
from callqa.qa.scoring.scorecard import KINDS, NotApplicableWhen

EXAMPLES = rule_examples()


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e.rule}: {e.line}" for e in EXAMPLES])
def test_rule_example(example, scorecard):
    result = score_transcript(example.transcript, scorecard, example.context)
    item = result.item(example.item_id)
    assert item.verdict == example.verdict, item.explanation["en"]


def test_every_rule_is_registered_and_documented_with_both_verdicts_in_both_languages():
    assert set(KIND_CHECKS) == set(KINDS)
    assert set(CONDITIONS) == set(NotApplicableWhen.__dataclass_fields__)
    for rule in KIND_CHECKS:
        shown = {(e.verdict, e.transcript.language) for e in EXAMPLES if e.rule == rule}
        for language in ("pl", "en"):
            assert ("passed", language) in shown and ("failed", language) in shown, (rule, language)
    for rule in CONDITIONS:
        assert any(e.verdict == "not_applicable" for e in EXAMPLES if e.rule == rule), rule

"""What the machine suggests for an item it leaves in review, which decides whether the "To
review" queue asks for a comment: the scorer's own results on the rule examples, not made-up
evidence."""
from __future__ import annotations

import pytest

from callqa.models import Call, CallScore, ItemResult, Scorecard
from callqa.qa.scoring import default_scorecard, score_transcript
from callqa.qa.scoring.examples import parse_example
from callqa.services.reviewing import suggested_verdict

CASES = [
    # a phrase found, but who said it?
    ("required", "Review [greeting/en, mono]: unknown@0.6: Good morning, how can I help?",
     "passed"),
    # nearly heard: the candidate is the near miss
    ("required", "Review [greeting/en, heard 0.6]: agent@0.6: Hank you for calling Northwind.",
     "passed"),
    # heard unclearly and nothing close: the customer's hello is context, no candidate
    ("required", "Review [greeting/en, heard 0.3]: agent@0.6: Northwind. Go ahead. | "
                 "customer@3: Hello, I have a problem.", "failed"),
    # a forbidden phrase heard unsurely, or only fuzzily
    ("forbidden", "Review [forbidden_phrases/en, heard 0.3]: agent@1: I do not know.", "failed"),
    ("forbidden", "Review [forbidden_phrases/en]: agent@1: Sorry, that is not my problen.",
     "failed"),
    ("forbidden", "Review [forbidden_phrases/pl, mono]: unknown@1: Nie wiem, proszę zadzwonić "
                  "później.", "failed"),
]


def _stored(example) -> tuple[Call, ItemResult]:
    """The example's result as the database keeps it (not saved: nothing else is needed)."""
    rules = default_scorecard()
    result = score_transcript(example.transcript, rules, example.context).item(example.item_id)
    assert str(result.verdict) == "review", example.line
    stored = result.to_dict()
    item = ItemResult(item_id=stored["item"], verdict=stored["verdict"],
                      detail={k: stored[k] for k in ("label", "explanation", "looked_in",
                                                     "evidence")})
    call = Call(score=CallScore(scorecard=Scorecard(source=rules.text), items=[item]))
    return call, item


@pytest.mark.parametrize(("rule", "line", "expected"), CASES, ids=[c[1][:60] for c in CASES])
def test_the_suggestion_follows_the_candidate_words(rule, line, expected):
    call, item = _stored(parse_example(rule, line))
    assert suggested_verdict(call, item) == expected


def test_no_window_no_suggestion():
    call, item = _stored(parse_example(
        "required", "Review [greeting/en, mono]: unknown@0.6: Good morning, how can I help?"))
    item.detail = {**item.detail, "looked_in": None}
    assert suggested_verdict(call, item) is None

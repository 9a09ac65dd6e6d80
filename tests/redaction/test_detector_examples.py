"""Every Found/Okay example in the docstrings of qa.redaction.detect, as a test case, on the
recognizer's words and on a transcript without words (an imported one)."""
from __future__ import annotations

import pytest

from callqa.qa.redaction.detect import DETECTORS
from callqa.qa.redaction.examples import detector_examples, spoken_transcript
from callqa.qa.redaction.redact import RedactionPolicy, redact_transcript

EXAMPLES = detector_examples()


@pytest.mark.parametrize("with_words", [True, False], ids=["words", "text"])
@pytest.mark.parametrize("example", EXAMPLES,
                         ids=[f"{e.detector}: {e.language}: {e.line}" for e in EXAMPLES])
def test_detector_example(example, with_words):
    transcript = spoken_transcript(example.said, example.language, with_words)
    policy = RedactionPolicy(frozenset({example.entity}), frozenset())
    redacted = redact_transcript(transcript, policy)
    text = redacted.transcript.utterances[0].text
    if example.found:
        assert text == example.redacted
        assert [s.entity for s in redacted.spans] == [example.entity] * example.line.count("[")
    else:
        assert text == example.said and not redacted.spans


def test_every_detector_shows_found_and_okay_in_both_languages():
    for registered in DETECTORS:
        shown = {(e.found, e.language) for e in EXAMPLES if e.detector == registered.name}
        assert shown == {(True, "pl"), (False, "pl"), (True, "en"), (False, "en")}, \
            registered.name

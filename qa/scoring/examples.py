"""The rule examples in the docstrings of qa.scoring.rules, as transcripts with expected verdicts.

See the rules module docstring for the example format.
"""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

from callqa.qa.scoring.call import ScoringContext
from callqa.qa.scoring.results import Verdict
from callqa.qa.scoring.rules import CONDITIONS, KIND_CHECKS
from callqa.qa.transcript import Speaker, Transcript, Unheard, Utterance, Word

VERDICTS = {
    "Okay": Verdict.PASSED,
    "Fail": Verdict.FAILED,
    "Review": Verdict.REVIEW,
    "N/A": Verdict.NOT_APPLICABLE,
}
_LINE = re.compile(r"^(Okay|Fail|Review|N/A) \[([a-z0-9_]+)/([a-z]+)((?:, [^\]]+)*)\]: (.+)$")
_UTTERANCE = re.compile(r"^(agent|customer|unknown)@(\d+(?:\.\d+)?): (.+)$")
_CALL_LENGTH = re.compile(r"^call (\d+(?:\.\d+)?) s$")
_HEARD = re.compile(r"^heard ([01](?:\.\d+)?)$")
_UNHEARD = re.compile(r"^(unheard|drowned) (\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$")
_SECONDS_PER_WORD = 0.4


@dataclass(frozen=True)
class RuleExample:
    rule: str  # the registered function it documents
    line: str
    verdict: Verdict
    item_id: str
    transcript: Transcript
    context: ScoringContext


def rule_examples() -> list[RuleExample]:
    examples = []
    for name, function in [*KIND_CHECKS.items(), *CONDITIONS.items()]:
        doc = inspect.getdoc(function)
        assert doc is not None, f"{name} documents its examples"
        for line in doc.splitlines():
            if line.split(" ", 1)[0] in VERDICTS:
                examples.append(parse_example(name, line))
    return examples


def parse_example(rule: str, line: str) -> RuleExample:
    found = _LINE.match(line.strip())
    if not found:
        raise ValueError(f"{rule}: malformed example: {line!r}")
    verdict, item_id, language, options_text, utterances_text = found.groups()
    options = [option.strip() for option in options_text.split(",") if option.strip()]
    mono = "mono" in options
    duration, agent_name, heard, unheard = 0.0, None, None, []
    for option in options:
        if length := _CALL_LENGTH.match(option):
            duration = float(length.group(1))
        elif probability := _HEARD.match(option):
            heard = float(probability.group(1))
        elif span := _UNHEARD.match(option):
            unheard.append(Unheard(Speaker.AGENT, 0, float(span.group(2)), float(span.group(3)),
                                   drowned=span.group(1) == "drowned"))
        elif option.startswith("agent "):
            agent_name = option.removeprefix("agent ")
        elif option != "mono":
            raise ValueError(f"{rule}: unknown example option {option!r} in {line!r}")
    utterances = [_utterance(rule, part.strip(), heard) for part in utterances_text.split(" | ")]
    transcript = Transcript(
        language=language,
        duration=max(duration, max(u.end for u in utterances)),
        utterances=utterances,
        speakers_known=not mono,
        unheard=tuple(unheard),
    )
    return RuleExample(
        rule, line.strip(), VERDICTS[verdict], item_id, transcript, ScoringContext(agent_name)
    )


def _utterance(rule: str, text: str, heard: float | None) -> Utterance:
    found = _UTTERANCE.match(text)
    if not found:
        raise ValueError(f"{rule}: malformed example utterance: {text!r}")
    speaker, start_text, words = found.groups()
    start = float(start_text)
    written = words.split()
    length = max(1.0, _SECONDS_PER_WORD * len(written))
    timed = () if heard is None else tuple(
        Word(word, start + _SECONDS_PER_WORD * i, start + _SECONDS_PER_WORD * (i + 1), heard)
        for i, word in enumerate(written)
    )
    return Utterance(speaker=Speaker(speaker), start=start, end=start + length, text=words,
                     words=timed)

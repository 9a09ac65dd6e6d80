"""The Found/Okay examples in the detectors' docstrings, as transcripts and what redacting
them must give: the tests run every one, and the docs cannot drift from the behaviour."""
from __future__ import annotations

import re
from dataclasses import dataclass

from callqa.qa.redaction.detect import DETECTORS, Entity
from callqa.qa.redaction.redact import placeholder
from callqa.qa.transcript import Speaker, Transcript, Utterance, Word

__all__ = ["DetectorExample", "detector_examples", "spoken_transcript"]

_LINE = re.compile(r"^\s*(Found|Okay) (pl|en): (.*)$")


@dataclass(frozen=True)
class DetectorExample:
    detector: str
    entity: Entity
    language: str
    line: str  # as written, with the entity in [brackets]
    found: bool

    @property
    def said(self) -> str:
        return self.line.replace("[", "").replace("]", "")

    @property
    def redacted(self) -> str:
        """The text after redaction: each bracketed stretch is the entity's placeholder."""
        return re.sub(r"\[[^\]]*\]", placeholder(self.entity, self.language), self.line)


def detector_examples() -> list[DetectorExample]:
    examples = []
    for registered in DETECTORS:
        for kind, language, text in _example_lines(registered.doc):
            examples.append(DetectorExample(registered.name, registered.entity, language,
                                            text, kind == "Found"))
    return examples


def _example_lines(doc: str) -> list[tuple[str, str, str]]:
    """(Found or Okay, language, text) per example; a line indented further continues one."""
    lines: list[tuple[str, str, str]] = []
    indent = 0
    for line in doc.splitlines():
        match = _LINE.match(line)
        if match:
            kind, language, text = match.groups()
            lines.append((kind, language, text.strip()))
            indent = len(line) - len(line.lstrip())
        elif lines and line.strip() and len(line) - len(line.lstrip()) > indent:
            kind, language, text = lines[-1]
            lines[-1] = (kind, language, f"{text} {line.strip()}")
        else:
            indent = 10**6  # a blank or ordinary line ends the examples' continuation
    return lines


def spoken_transcript(text: str, language: str, with_words: bool = True) -> Transcript:
    """One customer utterance, its words (if `with_words`) half a second each."""
    words = tuple(Word(word, i * 0.5, i * 0.5 + 0.4) for i, word in enumerate(text.split()))
    utterance = Utterance(Speaker.CUSTOMER, 0.0, max(len(words) * 0.5, 0.5), text,
                          words if with_words else (), channel=1)
    return Transcript(language, utterance.end, [utterance])

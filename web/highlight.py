"""Transcript text as HTML with the words the scoring matched in <mark>."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

from callqa.qa.redaction.redact import PLACEHOLDERS

# The placeholders redaction leaves in a transcript, shown as such.
_PLACEHOLDER = re.compile("|".join(sorted(
    {re.escape(mark) for marks in PLACEHOLDERS.values() for mark in marks.values()},
    key=len, reverse=True)))


def highlight(text: str, needles: list[str]) -> Markup:
    """The text, escaped, with each occurrence of the needles (any case) in <mark> and each
    redaction placeholder in <span class="redacted">."""
    spans: list[tuple[int, int]] = []
    for needle in needles:
        spans += [m.span() for m in re.finditer(re.escape(needle), text, re.IGNORECASE)]
    out, position = [], 0
    for start, end in _merged(spans):
        out.append(_placeholders(text[position:start]))
        out.append(Markup("<mark>") + _placeholders(text[start:end]) + Markup("</mark>"))
        position = end
    out.append(_placeholders(text[position:]))
    return Markup("").join(out)


def _placeholders(text: str) -> Markup:
    out, position = [], 0
    for match in _PLACEHOLDER.finditer(text):
        out.append(escape(text[position:match.start()]))
        out.append(Markup('<span class="redacted">') + escape(match.group()) + Markup("</span>"))
        position = match.end()
    out.append(escape(text[position:]))
    return Markup("").join(out)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged

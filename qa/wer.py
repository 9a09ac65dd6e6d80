"""Word error rate of transcripts against reference text, with a simple text normalizer.

Used by the transcription benchmark (scripts/bench_transcribe.py); nothing in the product
depends on it at run time.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Apostrophes inside a word are dropped ("I'm" -> "im"), so "I'm" and "Im" match.
_APOSTROPHES = frozenset("'\u2019\u02bc")


def normalize(text: str, language: str) -> list[str]:
    """Words of `text` for scoring: casefolded, punctuation removed, whitespace collapsed.

    Diacritics are kept ("zamówienia" and "zamowienia" are different words). Apostrophes
    are deleted; every other punctuation or symbol character separates words, so
    "e-mail" becomes "e mail" on both sides.

    Numbers are left as they are: a reference that spells a number out ("czterdzieści
    dwa") against a hypothesis in digits ("42") counts as errors, so a WER on material
    with numbers is a little pessimistic.

    `language` (ISO 639-1) is accepted for language-specific rules; the current rules are
    the same for every language.
    """
    del language  # same rules for pl and en for now
    chars: list[str] = []
    for char in unicodedata.normalize("NFC", text).casefold():
        if char in _APOSTROPHES:
            continue
        chars.append(" " if _is_separator(char) else char)
    return "".join(chars).split()


def _is_separator(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in ("P", "S", "Z", "C")


@dataclass(frozen=True)
class WerResult:
    substitutions: int
    deletions: int
    insertions: int
    reference_words: int

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer(self) -> float:
        """Errors per reference word; 0.0 with no reference words and no errors, else inf."""
        if self.reference_words == 0:
            return 0.0 if self.errors == 0 else float("inf")
        return self.errors / self.reference_words

    def __add__(self, other: WerResult) -> WerResult:
        return WerResult(
            substitutions=self.substitutions + other.substitutions,
            deletions=self.deletions + other.deletions,
            insertions=self.insertions + other.insertions,
            reference_words=self.reference_words + other.reference_words,
        )


EMPTY = WerResult(substitutions=0, deletions=0, insertions=0, reference_words=0)


def word_error_rate(
    references: Sequence[str], hypotheses: Sequence[str], language: str
) -> WerResult:
    """WER over pairs of texts, each pair aligned on its own and the counts summed."""
    if len(references) != len(hypotheses):
        raise ValueError(
            f"{len(references)} references but {len(hypotheses)} hypotheses: give one of each"
        )
    total = EMPTY
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        total += align_words(normalize(reference, language), normalize(hypothesis, language))
    return total


def align_words(reference: Sequence[str], hypothesis: Sequence[str]) -> WerResult:
    """Minimum edit alignment of two word lists, counted as substitutions/deletions/insertions.

    Between equally cheap alignments the tie goes to a substitution (or match), then a
    deletion, then an insertion, so the split is deterministic.
    """
    # costs[j] holds (errors, substitutions, deletions, insertions) for the current row.
    previous = [(j, 0, 0, j) for j in range(len(hypothesis) + 1)]
    for i, ref_word in enumerate(reference, start=1):
        current = [(i, 0, i, 0)]
        for j, hyp_word in enumerate(hypothesis, start=1):
            same = ref_word == hyp_word
            current.append(_best_step(previous[j - 1], previous[j], current[j - 1], same))
        previous = current
    _, subs, dels, ins = previous[-1]
    return WerResult(
        substitutions=subs, deletions=dels, insertions=ins, reference_words=len(reference)
    )


_Cost = tuple[int, int, int, int]


def _best_step(diagonal: _Cost, above: _Cost, left: _Cost, same: bool) -> _Cost:
    errors, subs, dels, ins = diagonal
    candidates = [(errors, subs, dels, ins) if same else (errors + 1, subs + 1, dels, ins)]
    errors, subs, dels, ins = above
    candidates.append((errors + 1, subs, dels + 1, ins))
    errors, subs, dels, ins = left
    candidates.append((errors + 1, subs, dels, ins + 1))
    return min(candidates, key=lambda cost: cost[0])

"""Phrase matching that survives speech recognition: exact, then lemma, then a careful fuzzy match.

A phrase is a sequence of words; it matches consecutive words of an utterance when every word
matches: exactly (same folded form), by lemma (the two words share a dictionary form, so
"dziękować" covers "dziękujemy"), or fuzzily (a recognition error of a letter or two, only for
longer words, at most one such word per phrase). A phrase match is as weak as its weakest word.

Recognizers also misplace word boundaries ("have an ice day", "good bye"), so the fuzzy pass
also accepts the phrase's very letters spread over one word fewer, as many, or one more words.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from rapidfuzz.distance import Indel

from callqa.qa.scoring.pipelines import Analyzer, TextToken, WordInfo

_MATCH_CACHE_LIMIT = 200_000


class Method(StrEnum):
    EXACT = "exact"
    LEMMA = "lemma"
    FUZZY = "fuzzy"


METHOD_RANK = {Method.EXACT: 0, Method.LEMMA: 1, Method.FUZZY: 2}
METHOD_CONFIDENCE = {Method.EXACT: 1.0, Method.LEMMA: 0.95}  # fuzzy: its similarity


@dataclass(frozen=True)
class FuzzyOptions:
    min_similarity: float = 85.0  # rapidfuzz ratio (Indel), 0-100: one wrong letter in 7
    min_length: int = 5  # both words at least this long (folded)


@dataclass(frozen=True)
class WordMatch:
    method: Method
    similarity: float  # 100 unless fuzzy


@dataclass(frozen=True)
class Phrase:
    text: str  # as written in the scorecard
    words: tuple[WordInfo, ...]

    @cached_property
    def letters(self) -> str:
        """The folded words without spaces: "have a nice" -> "haveanice"."""
        return "".join(word.fold for word in self.words)


@dataclass(frozen=True)
class PhraseMatch:
    phrase: Phrase
    start: int  # index of the first matched token
    stop: int  # one past the last matched token
    method: Method
    similarity: float
    regrouped: bool = False  # the phrase's letters over differently split words

    @property
    def confidence(self) -> float:
        if self.method is Method.FUZZY:
            return round(self.similarity / 100, 3)
        return METHOD_CONFIDENCE[self.method]

    def contains(self, other: PhraseMatch) -> bool:
        return self.start <= other.start and other.stop <= self.stop


def compile_phrases(texts: Iterable[str], analyzer: Analyzer) -> tuple[Phrase, ...]:
    phrases = []
    for text in texts:
        words = tuple(token.info for token in analyzer.tokens(text))
        if words:
            phrases.append(Phrase(text=text, words=words))
    return tuple(phrases)


class PhraseMatcher:
    """Finds a fixed set of phrases in token sequences.

    Lexicon words are indexed by their lemma keys, so a transcript word finds the lexicon words
    it matches with a few lookups; what a written word matches is memoized.
    """

    def __init__(self, phrases: Sequence[Phrase], fuzzy: FuzzyOptions, lemmas: bool = True):
        self.phrases = tuple(phrases)
        self._fuzzy = fuzzy
        self._lemmas = lemmas  # False: no lemma matching, only the forms as written (or fuzzy)
        self._words: list[WordInfo] = list(dict.fromkeys(w for p in self.phrases for w in p.words))
        ids = {word: number for number, word in enumerate(self._words)}
        self._phrase_ids = [tuple(ids[w] for w in phrase.words) for phrase in self.phrases]
        self._index: dict[str, list[int]] = {}
        for number, word in enumerate(self._words):
            for key in word.lemma_keys if lemmas else (word.fold,):
                self._index.setdefault(key, []).append(number)
        self._fuzzy_candidates = [
            number for number, word in enumerate(self._words) if len(word.fold) >= fuzzy.min_length
        ]
        self._cache: dict[tuple[str, bool], dict[int, WordMatch]] = {}

    def find(self, tokens: Sequence[TextToken], allow_fuzzy: bool) -> list[PhraseMatch]:
        """Every occurrence of every phrase in `tokens`, in token order."""
        per_token = [self._matches(token.info, allow_fuzzy) for token in tokens]
        found = []
        for phrase, ids in zip(self.phrases, self._phrase_ids, strict=True):
            by_words = list(self._occurrences(phrase, ids, per_token, allow_fuzzy))
            found.extend(by_words)
            if allow_fuzzy:
                taken = {match.start for match in by_words}
                found.extend(self._regrouped_occurrences(phrase, tokens, taken))
        return sorted(found, key=lambda match: (match.start, -match.stop))

    def near_misses(
        self, tokens: Sequence[TextToken], min_similarity: float, min_letters: int
    ) -> list[PhraseMatch]:
        """Places whose letters resemble a phrase's (`min_similarity`, 0-100, over one word
        fewer, as many or one more words) though they do not match it: candidates for a person
        to hear ("hank you" for "thank you"), never a pass. Phrases shorter than `min_letters`
        letters have none: too many words look like "hi"."""
        folds = [token.info.fold for token in tokens]
        found = []
        for phrase in self.phrases:
            wanted, size = phrase.letters, len(phrase.words)
            if len(wanted) < min_letters:
                continue
            for width in (size - 1, size, size + 1):
                for start in range(len(folds) - width + 1 if width >= 1 else 0):
                    seen = "".join(folds[start : start + width])
                    similarity = 100 * Indel.normalized_similarity(seen, wanted)
                    if similarity >= min_similarity:
                        found.append(PhraseMatch(phrase, start, start + width, Method.FUZZY,
                                                 round(similarity, 1), regrouped=width != size))
        return sorted(found, key=lambda match: (match.start, -match.similarity))

    def _occurrences(
        self,
        phrase: Phrase,
        ids: tuple[int, ...],
        per_token: list[dict[int, WordMatch]],
        allow_fuzzy: bool,
    ) -> Iterable[PhraseMatch]:
        size = len(ids)
        fuzzy_budget = 1 if allow_fuzzy else 0
        for start in range(len(per_token) - size + 1):
            if ids[0] not in per_token[start]:
                continue
            matches = []
            for offset, word_id in enumerate(ids):
                match = per_token[start + offset].get(word_id)
                if match is None:
                    break
                matches.append(match)
            else:
                if sum(m.method is Method.FUZZY for m in matches) > fuzzy_budget:
                    continue
                weakest = max(matches, key=lambda m: (METHOD_RANK[m.method], -m.similarity))
                similarity = min(m.similarity for m in matches)
                yield PhraseMatch(phrase, start, start + size, weakest.method, similarity)

    def _regrouped_occurrences(
        self, phrase: Phrase, tokens: Sequence[TextToken], taken: set[int]
    ) -> Iterable[PhraseMatch]:
        """The phrase's very letters over one word fewer, as many, or one more: word
        boundaries misplaced by the recognizer ("have an ice" for "have a nice")."""
        size, wanted = len(phrase.words), phrase.letters
        lengths = [len(token.info.fold) for token in tokens]
        for width in (size - 1, size, size + 1):
            if width < 1:
                continue
            for start in range(len(tokens) - width + 1):
                if start in taken or sum(lengths[start : start + width]) != len(wanted):
                    continue
                window = [token.info.fold for token in tokens[start : start + width]]
                if "".join(window) != wanted or window == [w.fold for w in phrase.words]:
                    continue
                yield PhraseMatch(phrase, start, start + width, Method.FUZZY, 100.0, True)

    def _matches(self, seen: WordInfo, allow_fuzzy: bool) -> dict[int, WordMatch]:
        """The lexicon words a transcript word matches, by their number."""
        key = (seen.fold, allow_fuzzy)
        matches = self._cache.get(key)
        if matches is None:
            matches = self._compare(seen, allow_fuzzy)
            if len(self._cache) >= _MATCH_CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = matches
        return matches

    def _compare(self, seen: WordInfo, allow_fuzzy: bool) -> dict[int, WordMatch]:
        matches: dict[int, WordMatch] = {}
        for key in seen.lemma_keys if self._lemmas else (seen.fold,):
            for number in self._index.get(key, ()):
                exact = self._words[number].fold == seen.fold
                matches[number] = WordMatch(Method.EXACT if exact else Method.LEMMA, 100.0)
        if not allow_fuzzy or len(seen.fold) < self._fuzzy.min_length:
            return matches
        cutoff = self._fuzzy.min_similarity / 100
        for number in self._fuzzy_candidates:
            if number not in matches:
                similarity = Indel.normalized_similarity(
                    self._words[number].fold, seen.fold, score_cutoff=cutoff
                )
                if similarity:
                    matches[number] = WordMatch(Method.FUZZY, round(similarity * 100, 1))
        return matches

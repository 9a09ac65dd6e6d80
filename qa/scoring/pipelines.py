"""spaCy pipelines per language, loaded once per process, and word analysis for matching."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from callqa.qa.scoring.lemmas import LemmaLookup, lemma_lookup
from callqa.qa.scoring.text import fold

if TYPE_CHECKING:
    from spacy.language import Language

_TOKEN_CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class WordInfo:
    """What matching needs to know about one written word, whatever its position."""

    fold: str
    lemma_keys: frozenset[str]  # the folded word and its folded lemmas
    lemma: str  # the first lemma (diacritics kept) or the word itself, for display


@dataclass(frozen=True, slots=True)
class TextToken:
    text: str
    start_char: int
    end_char: int
    info: WordInfo

    @property
    def fold(self) -> str:
        return self.info.fold


@cache
def pipeline(language: str) -> Language:
    """A blank spaCy pipeline (tokenizer) for `language`; English adds the lookup lemmatizer."""
    import spacy  # here, not at import: it costs 2 s (thinc imports torch when installed)

    try:
        nlp = spacy.blank(language)
    except ImportError:  # a language spaCy does not know: its multi-language tokenizer
        nlp = spacy.blank("xx")
    if language == "en":
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    return nlp


class Analyzer:
    """Tokenizes text with the language's spaCy tokenizer and attaches lemma keys to words."""

    def __init__(self, language: str):
        self.language = language
        self._tokenizer = pipeline(language).tokenizer
        self._lemmas: LemmaLookup = lemma_lookup(language)
        self._words: dict[str, WordInfo] = {}
        self._lock = threading.Lock()

    def word(self, text: str) -> WordInfo:
        info = self._words.get(text)
        if info is None:
            info = self._describe(text)
            with self._lock:
                if len(self._words) >= _TOKEN_CACHE_LIMIT:
                    self._words.clear()
                self._words[text] = info
        return info

    def _describe(self, text: str) -> WordInfo:
        folded = fold(text)
        lemmas = self._lemmas.lemmas(text)
        keys = frozenset({folded, *(fold(lemma) for lemma in lemmas)})
        return WordInfo(fold=folded, lemma_keys=keys, lemma=lemmas[0] if lemmas else text.lower())

    def tokens(self, text: str) -> tuple[TextToken, ...]:
        """The words of `text` (punctuation and spaces dropped) with their character offsets."""
        return tuple(
            TextToken(token.text, token.idx, token.idx + len(token.text), self.word(token.text))
            for token in self._tokenizer(text)
            if not (token.is_punct or token.is_space)
        )


@cache
def analyzer(language: str) -> Analyzer:
    return Analyzer(language)

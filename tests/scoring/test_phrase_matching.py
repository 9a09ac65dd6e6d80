"""Matching that survives speech recognition: folding, lemmas, fuzzy words, evidence details."""
from __future__ import annotations

import pytest

from callqa.qa.scoring import parse_scorecard, score_transcript
from callqa.qa.scoring.matching import FuzzyOptions, Method, PhraseMatcher, compile_phrases
from callqa.qa.scoring.pipelines import analyzer
from callqa.qa.scoring.text import fold

THANKS_BY_LEMMA = """
items:
  - id: thanks
    label: {pl: Podziękowanie, en: Thanks}
    phrases: {pl: [dziękować], en: [thank]}
"""


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Dziękuję", "dziekuje"),
        ("ŻÓŁĆ", "zolc"),
        ("Dzień Dobry", "dzien dobry"),
        ("you’re", "you're"),
        ("Straße", "strasse"),
    ],
)
def test_fold_drops_case_and_diacritics(text, folded):
    assert fold(text) == folded


def find(language: str, phrases: list[str], text: str, allow_fuzzy: bool = True):
    words = analyzer(language)
    matcher = PhraseMatcher(compile_phrases(phrases, words), FuzzyOptions())
    return matcher.find(words.tokens(text), allow_fuzzy)


@pytest.mark.parametrize("said", ["Dziękuję.", "Dziękujemy bardzo.", "Dziękowałam już Panu."])
def test_one_lemma_entry_matches_every_inflection(said, make_call):
    scorecard = parse_scorecard(THANKS_BY_LEMMA)
    call = make_call("pl", ("agent", 1, "Dzień dobry."), ("agent", 25, said))
    item = score_transcript(call, scorecard).item("thanks")
    assert item.verdict == "passed"
    assert item.method == "lemma"
    assert item.evidence[0].matched == said.split()[0].rstrip(".")


@pytest.mark.parametrize("said", ["thanks a lot", "we thanked him", "thanking you"])
def test_english_lookup_lemmas(said):
    (match,) = find("en", ["thank"], said)
    assert match.method is Method.LEMMA


@pytest.mark.parametrize(
    ("phrase", "said"),
    [
        ("dzień dobry", "dzien dobry"),
        ("dzien dobry", "Dzień dobry, słucham"),
        ("DZIEŃ DOBRY", "dzień dobry"),
        ("do widzenia", "DO WIDZENIA!"),
    ],
)
def test_case_and_diacritics_do_not_matter(phrase, said):
    (match,) = find("pl", [phrase], said)
    assert match.method is Method.EXACT


def test_words_without_diacritics_still_find_their_lemma():
    (match,) = find("pl", ["dziękować"], "dziekujemy bardzo")
    assert match.method is Method.LEMMA


def test_multi_word_phrase_must_be_consecutive():
    assert find("pl", ["do widzenia"], "do zobaczenia i widzenia") == []
    assert find("pl", ["miłego dnia"], "życzę miłego dnia") != []


def test_a_misheard_letter_is_a_fuzzy_match_with_its_similarity(make_call, scorecard):
    call = make_call("en", ("agent", 1, "Hello."), ("agent", 30, "Goodbey, take kare."))
    item = score_transcript(call, scorecard).item("goodbye")
    assert item.verdict == "passed"
    (evidence,) = item.evidence
    assert (evidence.method, evidence.matched, evidence.phrase) == ("fuzzy", "Goodbey", "goodbye")
    assert evidence.similarity == pytest.approx(85.7)
    assert evidence.confidence == pytest.approx(0.857)


@pytest.mark.parametrize(
    ("phrase", "said", "matched"),
    [
        ("have a nice", "Thanks for calling, have an ice day.", "have an ice"),
        ("goodbye", "Good bye then.", "Good bye"),
        ("good night", "Goodnight!", "Goodnight"),
    ],
)
def test_misplaced_word_boundaries_match_as_fuzzy(phrase, said, matched):
    words = analyzer("en")
    tokens = words.tokens(said)
    (match,) = PhraseMatcher(compile_phrases([phrase], words), FuzzyOptions()).find(tokens, True)
    assert (match.method, match.similarity, match.regrouped) == (Method.FUZZY, 100.0, True)
    assert said[tokens[match.start].start_char : tokens[match.stop - 1].end_char] == matched
    assert find("en", [phrase], said, allow_fuzzy=False) == []


def test_exact_and_lemma_matches_are_preferred_to_fuzzy_ones():
    matches = find("en", ["goodbye"], "goodbey and goodbye")
    assert [m.method for m in matches] == [Method.FUZZY, Method.EXACT]
    assert find("en", ["goodbye"], "goodbey", allow_fuzzy=False) == []


@pytest.mark.parametrize(
    ("phrase", "said"),
    [
        ("thank", "than"),  # short words never match fuzzily
        ("bye", "by"),
        ("nie wiem", "nie wi"),
        ("dzień dobry", "jeni domy"),  # recognition garbage is not a greeting
        ("have a nice day", "have a mice bay"),  # at most one fuzzy word per phrase
    ],
)
def test_fuzzy_matching_is_conservative(phrase, said):
    language = "pl" if phrase in ("nie wiem", "dzień dobry") else "en"
    assert find(language, [phrase], said) == []


def test_evidence_takes_times_and_probability_from_the_recognizer_words(make_call, scorecard):
    call = make_call("en", ("agent", 2.0, "Well hello there."), word_probability=0.8)
    (evidence,) = score_transcript(call, scorecard).item("greeting").evidence
    assert (evidence.start, evidence.end) == (pytest.approx(2.4), pytest.approx(2.8))
    assert evidence.confidence == pytest.approx(0.8)
    assert evidence.utterance == "Well hello there."

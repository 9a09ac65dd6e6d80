"""Spoken numbers to digits, in Polish and English, and runs across pauses and utterances."""
from __future__ import annotations

import pytest

from callqa.qa.redaction.detect import DetectOptions, call_text
from callqa.qa.redaction.spoken import spoken_digits
from callqa.qa.transcript import Speaker, Transcript, Utterance, Word

CASES = [
    ("pl", "cztery pięć sześć siedem, dwanaście trzydzieści", "45671230"),
    ("pl", "czterdzieści dwa siedemnaście", "4217"),
    ("pl", "sześć siedemdziesiąt, dwa dwanaście", "670212"),  # a comma ends a group
    ("pl", "sto dwadzieścia trzy", "123"),
    ("pl", "dwieście pięć", "205"),
    ("pl", "dwa tysiące dwadzieścia cztery", "2024"),
    ("pl", "jedenastu dwunastoma dziewiętnastu", "111219"),
    ("pl", "pięćdziesięciu ośmiu", "58"),  # genitive tens then a unit: one number
    ("pl", "jedna dwie trzech czterema", "1234"),
    ("pl", "dziewięćset dziewięćdziesiąt dziewięć", "999"),
    ("pl", "4111 jeden jeden jeden", "4111111"),
    ("pl", "zero zero czterdzieści osiem", "0048"),
    ("en", "four five six seven", "4567"),
    ("en", "double seven", "77"),
    ("en", "triple oh", "000"),
    ("en", "forty-two seventeen", "4217"),
    ("en", "one hundred and twenty three", "123"),
    ("en", "twelve hundred", "1200"),
    ("en", "twenty twenty", "2020"),
    ("en", "oh seven seven double oh", "07700"),
    ("en", "4111-1111 one one", "4111111111"),
    ("en", "4,539, 1,488", "45391488"),  # the recognizer writes thousands
]


@pytest.mark.parametrize(("language", "said", "digits"), CASES,
                         ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_spoken_digits(language, said, digits):
    parts = spoken_digits(said.split(), language)
    assert "".join(p for p in parts if p) == digits


@pytest.mark.parametrize(("language", "said"), [
    ("pl", "proszę o numer"), ("en", "oh, I see"), ("en", "and then"), ("pl", "o której"),
])
def test_words_that_are_no_numbers(language, said):
    assert all(p is None for p in spoken_digits(said.split(), language))


def _utterance(speaker, start, words):
    timed = tuple(Word(w, start + i * 0.4, start + i * 0.4 + 0.3) for i, w in enumerate(words))
    return Utterance(speaker, start, timed[-1].end, " ".join(words), timed,
                     channel=0 if speaker == Speaker.AGENT else 1)


def test_a_number_goes_on_across_utterances_and_the_other_partys_words():
    transcript = Transcript("en", 20.0, [
        _utterance(Speaker.CUSTOMER, 0.0, ["it's", "4111", "1111"]),
        _utterance(Speaker.AGENT, 1.5, ["mhm"]),
        _utterance(Speaker.CUSTOMER, 2.5, ["1111", "one", "one", "one", "one"]),
    ])
    runs = call_text(transcript).runs
    assert [r.digits for r in runs] == ["4111111111111111"]


def test_a_long_pause_ends_a_number():
    transcript = Transcript("en", 20.0, [
        _utterance(Speaker.CUSTOMER, 0.0, ["4111", "1111"]),
        _utterance(Speaker.CUSTOMER, 9.0, ["1111", "1111"]),
    ])
    runs = call_text(transcript, DetectOptions(max_gap_s=4.0)).runs
    assert [r.digits for r in runs] == ["41111111", "11111111"]


def test_the_other_partys_question_ends_a_number():
    transcript = Transcript("en", 20.0, [
        _utterance(Speaker.CUSTOMER, 0.0, ["4111", "1111", "1111", "1111"]),
        _utterance(Speaker.AGENT, 2.0, ["and", "the", "code", "on", "the", "back?"]),
        _utterance(Speaker.CUSTOMER, 4.5, ["123"]),
    ])
    assert [r.digits for r in call_text(transcript).runs] == ["4111111111111111", "123"]


def test_words_the_text_writes_together_are_one_token():
    """The recognizer's words of "288-331-91-48" are "288", "-331", "-91", "-48"."""
    words = ("Our", "tax", "ID", "is", "288", "-331", "-91", "-48")
    timed = tuple(Word(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(words))
    utterance = Utterance(Speaker.CUSTOMER, 0.0, 3.2, "Our tax ID is 288-331-91-48", timed,
                          channel=1)
    text = call_text(Transcript("en", 4.0, [utterance]))
    assert [t.text for t in text.tokens][-1] == "288-331-91-48"
    assert [r.digits for r in text.runs] == ["2883319148"]

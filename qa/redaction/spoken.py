"""Spoken numbers as digits: what a recognizer writes for a number read aloud, in Polish or
English, as digits ("4111"), words ("cztery jeden jeden"), cardinals ("czterdzieści dwa",
"sto dwadzieścia trzy", "twenty twenty") or a mix, turned into the digits a reader means.

A number read in groups is the groups' digits one after another: "dwanaście trzydzieści" is
1230, "czterdzieści dwa siedemnaście" 4217, "double seven" 77. Within a group the usual
place value holds: "sto pięć" is 105, "one hundred and twenty" 120, "dwa tysiące" 2000.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

__all__ = ["NumberWord", "Part", "digits_of", "number_word", "spoken_digits"]


class Part(Enum):
    UNIT = "unit"  # 0-9
    TEEN = "teen"  # 10-19
    TENS = "tens"  # 20, 30 ... 90
    HUNDREDS = "hundreds"  # Polish "sto", "dwieście" ...: a value, 100-900
    HUNDRED = "hundred"  # English "hundred": multiplies what came before
    THOUSAND = "thousand"
    REPEAT = "repeat"  # "double", "triple": the next digit so many times
    ZERO_LETTER = "oh"  # English "oh" read as a digit (only inside a number)


@dataclass(frozen=True)
class NumberWord:
    part: Part
    value: int


def _forms(table: dict[int, str], part: Part) -> dict[str, NumberWord]:
    return {form: NumberWord(part, value)
            for value, forms in table.items() for form in forms.split()}


# Every case and gender the recognizer writes (nominative, genitive, dative, instrumental,
# the masculine-personal and collective forms).
_PL_UNITS = {
    0: "zero zera zeru zerem",
    1: "jeden jedna jedno jednego jednej jednemu jednym jedną jedni jedne jednych jednymi",
    2: "dwa dwie dwóch dwu dwom dwoma dwiema dwaj dwoje dwojga",
    3: "trzy trzech trzem trzema trzej troje trojga",
    4: "cztery czterech czterem czterema czterej czworo czworga",
    5: "pięć pięciu pięcioma",
    6: "sześć sześciu sześcioma",
    7: "siedem siedmiu siedmioma",
    8: "osiem ośmiu ośmioma",
    9: "dziewięć dziewięciu dziewięcioma",
}
_PL_TEENS = {
    10: "dziesięć dziesięciu dziesięcioma",
    11: "jedenaście jedenastu jedenastoma",
    12: "dwanaście dwunastu dwunastoma",
    13: "trzynaście trzynastu trzynastoma",
    14: "czternaście czternastu czternastoma",
    15: "piętnaście piętnastu piętnastoma",
    16: "szesnaście szesnastu szesnastoma",
    17: "siedemnaście siedemnastu siedemnastoma",
    18: "osiemnaście osiemnastu osiemnastoma",
    19: "dziewiętnaście dziewiętnastu dziewiętnastoma",
}
_PL_TENS = {
    20: "dwadzieścia dwudziestu dwudziestoma",
    30: "trzydzieści trzydziestu trzydziestoma",
    40: "czterdzieści czterdziestu czterdziestoma",
    50: "pięćdziesiąt pięćdziesięciu pięćdziesięcioma",
    60: "sześćdziesiąt sześćdziesięciu sześćdziesięcioma",
    70: "siedemdziesiąt siedemdziesięciu siedemdziesięcioma",
    80: "osiemdziesiąt osiemdziesięciu osiemdziesięcioma",
    90: "dziewięćdziesiąt dziewięćdziesięciu dziewięćdziesięcioma",
}
_PL_HUNDREDS = {
    100: "sto stu stoma",
    200: "dwieście dwustu",
    300: "trzysta trzystu",
    400: "czterysta czterystu",
    500: "pięćset pięciuset",
    600: "sześćset sześciuset",
    700: "siedemset siedmiuset",
    800: "osiemset ośmiuset",
    900: "dziewięćset dziewięciuset",
}
_PL_THOUSAND = {1000: "tysiąc tysiąca tysiące tysięcy tysiącem tysiącom tysiącami"}

_EN_UNITS = {0: "zero nought nil", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five",
             6: "six", 7: "seven", 8: "eight", 9: "nine"}
_EN_TEENS = {10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen", 14: "fourteen",
             15: "fifteen", 16: "sixteen", 17: "seventeen", 18: "eighteen", 19: "nineteen"}
_EN_TENS = {20: "twenty", 30: "thirty", 40: "forty fourty", 50: "fifty", 60: "sixty",
            70: "seventy", 80: "eighty", 90: "ninety"}

_WORDS: dict[str, dict[str, NumberWord]] = {
    "pl": {**_forms(_PL_UNITS, Part.UNIT), **_forms(_PL_TEENS, Part.TEEN),
           **_forms(_PL_TENS, Part.TENS), **_forms(_PL_HUNDREDS, Part.HUNDREDS),
           **_forms(_PL_THOUSAND, Part.THOUSAND)},
    "en": {**_forms(_EN_UNITS, Part.UNIT), **_forms(_EN_TEENS, Part.TEEN),
           **_forms(_EN_TENS, Part.TENS), "hundred": NumberWord(Part.HUNDRED, 100),
           "thousand": NumberWord(Part.THOUSAND, 1000),
           "double": NumberWord(Part.REPEAT, 2), "triple": NumberWord(Part.REPEAT, 3),
           "oh": NumberWord(Part.ZERO_LETTER, 0)},
}

_EDGE_PUNCTUATION = ".,;:!?\"'()[]…–—"
# "4111", "4111-1111", "4,539", "12/27", "+48", "(22)": digits with the separators people
# (and the recognizer, for thousands) write.
_DIGITS = re.compile(r"\+?\(?\d[\d\-./),]*")


def digits_of(text: str) -> str | None:
    """The digits a token written with digits stands for, or None when it is not one.

    >>> digits_of("4111-1111,"), digits_of("4,539"), digits_of("12/27"), digits_of("4x")
    ('41111111', '4539', '1227', None)
    """
    token = text.strip(_EDGE_PUNCTUATION)
    if not _DIGITS.fullmatch(token):
        return None
    return re.sub(r"\D", "", token)


def number_word(text: str, language: str) -> list[NumberWord] | None:
    """The number words of one token ("forty-two" is two), or None when it is not one."""
    words = _WORDS.get(language, {})
    bare = text.strip(_EDGE_PUNCTUATION)
    if len(bare) > 1 and bare.isupper():
        return None  # letters read out ("DWU", "ONE" in a series), not a number word
    parts = bare.lower().split("-")
    found = [words.get(part) for part in parts if part]
    if not found or any(word is None for word in found):
        return None
    return [word for word in found if word is not None]


@dataclass
class _Group:
    """One number being built from words: thousands, then hundreds, tens and units."""

    thousands: int = 0
    hundreds: int = 0
    tens: int = 0
    units: int | None = None
    last: Part | None = None

    @property
    def value(self) -> int:
        return self.thousands + self.hundreds + self.tens + (self.units or 0)

    def takes(self, word: NumberWord) -> bool:
        """Whether `word` continues this number by place value rather than starting one."""
        small = self.tens == 0 and self.units is None  # nothing below the hundreds yet
        if word.part == Part.UNIT:
            # "fifty zero" is read digit by digit: 5, 0, 0 (nobody says zero for nothing)
            return self.units is None and word.value != 0 and (self.last == Part.TENS
                                           or self.last in (Part.HUNDREDS, Part.HUNDRED,
                                                            Part.THOUSAND))
        if word.part in (Part.TENS, Part.TEEN):
            return small and self.last in (Part.HUNDREDS, Part.HUNDRED, Part.THOUSAND)
        if word.part == Part.HUNDREDS:
            return self.last == Part.THOUSAND and self.hundreds == 0
        if word.part == Part.HUNDRED:
            return self.last in (Part.UNIT, Part.TEEN) and self.hundreds == 0
        if word.part == Part.THOUSAND:
            return self.last is not None and self.thousands == 0
        return False

    def add(self, word: NumberWord) -> None:
        if word.part == Part.UNIT:
            self.units = word.value
        elif word.part in (Part.TENS, Part.TEEN):
            self.tens = word.value
        elif word.part == Part.HUNDREDS:
            self.hundreds = word.value
        elif word.part == Part.HUNDRED:
            self.hundreds, self.tens, self.units = 100 * (self.tens + (self.units or 0)), 0, None
        elif word.part == Part.THOUSAND:
            self.thousands = 1000 * max(self.value, 1)
            self.hundreds, self.tens, self.units = 0, 0, None
        self.last = word.part


def spoken_digits(tokens: list[str], language: str) -> list[str | None]:
    """For each token of a stretch of speech, the digits it adds to the number being read
    ("" for a word inside a number that adds none, like "and" in "one hundred and five"),
    or None for a token that is no part of a number.

    The digits of a group of words ("sto dwadzieścia trzy") are given to its first word and
    its other words get "": the digits of a number are the tokens' digits in order.

    >>> spoken_digits("cztery pięć , dwanaście trzydzieści".split(), "pl")
    ['4', '5', None, '12', '30']
    >>> spoken_digits("one hundred and five double seven".split(), "en")
    ['105', '', '', '', '', '77']
    """
    result: list[str | None] = [None] * len(tokens)
    group: _Group | None = None
    group_at = 0
    repeat = 1

    def close() -> None:
        nonlocal group
        if group is not None:
            result[group_at] = (result[group_at] or "") + str(group.value)
        group = None

    for i, token in enumerate(tokens):
        digits = digits_of(token)
        if digits is not None:
            close()
            result[i] = digits * repeat
            repeat = 1
            continue
        words = number_word(token, language)
        if words is None:
            if token.lower() == "and" and group is not None and group.last in (
                    Part.HUNDRED, Part.THOUSAND) and i + 1 < len(tokens) and number_word(
                    tokens[i + 1], language):
                result[i] = ""
                continue
            close()
            repeat = 1
            continue
        result[i] = ""
        ends_group = token.rstrip() != token.rstrip(",.;:!?")  # "siedemdziesiąt, dwa": 70, 2
        for word in words:
            if word.part == Part.REPEAT:
                close()
                repeat = word.value
                continue
            if word.part == Part.ZERO_LETTER:
                opens = (i + 1 < len(tokens) and token.strip() == token.rstrip(",.!?")
                         and (digits_of(tokens[i + 1]) is not None
                              or number_word(tokens[i + 1], language) is not None))
                if not opens and (i == 0 or result[i - 1] is None):
                    result[i] = None  # an "oh" that is not read among digits: interjection
                    break
                word = NumberWord(Part.UNIT, 0)
            if repeat > 1 and word.part == Part.UNIT:
                close()
                result[i] = (result[i] or "") + str(word.value) * repeat
                repeat = 1
                continue
            if group is not None and group.takes(word):
                group.add(word)
                continue
            close()
            group, group_at = _Group(), i
            group.add(word)
        if ends_group:
            close()
    close()
    return result

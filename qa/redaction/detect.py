"""Personal data in a transcript: the detectors and what they read.

A call's words become tokens in time order. Each party's numbers read aloud become digit
runs (see `spoken`): the digits of consecutive number tokens of the same speaker, across
pauses and utterance boundaries up to `DetectOptions.max_gap_s`. Each detector is a small
registered function; its docstring states it, with examples that
tests/redaction/test_detector_examples.py turns into cases: "Found <language>:" lines where
the bracketed words are the entity, and "Okay <language>:" lines where nothing of that kind
is found (a line indented further continues the example).

Detectors run in registry order and a token belongs to the first that claims it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from stdnum import iban, luhn
from stdnum.pl import nip, pesel, regon

from callqa.qa.redaction.spoken import spoken_digits
from callqa.qa.transcript import Transcript, Utterance

__all__ = [
    "DETECTORS", "DetectOptions", "Detector", "Entity", "Found", "Run", "Token", "call_text",
    "detect", "polish_id_card_is_valid",
]


class Entity(StrEnum):
    CARD = "card"
    CVV = "cvv"
    EXPIRY = "expiry"
    PESEL = "pesel"
    NIP = "nip"
    REGON = "regon"
    ID_CARD = "id_card"
    ACCOUNT = "account"
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class Token:
    index: int  # in the call's tokens, which are in time order
    utterance: int
    word: int | None  # index in the utterance's (first) word; None: the text has no words
    char_start: int  # in the utterance's text; -1 where the word is not found in it
    char_end: int
    start: float
    end: float
    text: str
    party: tuple[str, int | None]  # speaker and channel
    last_word: int | None = None  # the last of the words written together ("288", "-331")

    @property
    def bare(self) -> str:
        return self.text.strip(".,;:!?\"'()[]…–—").lower()


@dataclass(frozen=True)
class Run:
    """Consecutive number tokens of one party and the digits each adds."""

    tokens: tuple[Token, ...]
    parts: tuple[str, ...]

    @property
    def digits(self) -> str:
        return "".join(self.parts)

    def pieces(self) -> Iterator[tuple[Run, Run]]:
        """Every split into two runs at a token boundary, each with digits."""
        for k in range(1, len(self.tokens)):
            head = Run(self.tokens[:k], self.parts[:k])
            tail = Run(self.tokens[k:], self.parts[k:])
            if head.digits and tail.digits and self.parts[k]:
                yield head, tail


@dataclass(frozen=True)
class Found:
    entity: Entity
    tokens: tuple[Token, ...]

    @property
    def start(self) -> float:
        return self.tokens[0].start

    @property
    def end(self) -> float:
        return self.tokens[-1].end


@dataclass(frozen=True)
class DetectOptions:
    max_gap_s: float = 4.0  # a pause longer than this ends a number being read
    context_s: float = 20.0  # how far back a keyword ("CVV", "telefon") gives context


FILLERS = frozenset({"uh", "um", "umm", "er", "erm", "ah", "hmm", "yyy", "eee", "eh", "yy", "mmm"})


@dataclass
class CallText:
    language: str
    tokens: list[Token]
    runs: list[Run]
    options: DetectOptions
    claimed: set[int] = field(default_factory=set)

    def free(self, tokens: Iterable[Token]) -> bool:
        return not any(t.index in self.claimed for t in tokens)

    def window(self, first: Token) -> str:
        """The words anyone said in the context window before `first`, lower-cased."""
        since = first.start - self.options.context_s
        return " ".join(t.bare for t in self.tokens[:first.index] if t.end >= since)

    def following(self, last: Token) -> str:
        """The party's next word after `last` (lower-cased), or ""."""
        return next((t.bare for t in self.tokens[last.index + 1:] if t.party == last.party), "")

    def party_tokens(self) -> dict[tuple[str, int | None], list[Token]]:
        streams: dict[tuple[str, int | None], list[Token]] = {}
        for token in self.tokens:
            streams.setdefault(token.party, []).append(token)
        return streams


# --- tokens and runs -----------------------------------------------------------------------


def call_text(transcript: Transcript, options: DetectOptions | None = None) -> CallText:
    options = options or DetectOptions()
    tokens = sorted(_tokens(transcript), key=lambda t: (t.start, t.utterance, t.char_start))
    tokens = [replace(t, index=i) for i, t in enumerate(tokens)]
    text = CallText(transcript.language, tokens, [], options)
    for stream in text.party_tokens().values():
        text.runs.extend(_runs(stream, transcript.language, options.max_gap_s))
    return text


def _tokens(transcript: Transcript) -> Iterator[Token]:
    for u_index, utterance in enumerate(transcript.utterances):
        party = (str(utterance.speaker), utterance.channel)
        if utterance.words:
            yield from _word_tokens(u_index, utterance, party)
            continue
        length = max(len(utterance.text), 1)
        span = utterance.end - utterance.start
        for match in re.finditer(r"\S+", utterance.text):
            yield Token(0, u_index, None, match.start(), match.end(),
                        utterance.start + span * match.start() / length,
                        utterance.start + span * match.end() / length, match.group(), party)


def _word_tokens(u_index: int, utterance: Utterance, party: tuple[str, int | None]
                 ) -> Iterator[Token]:
    """A token per word, but words the text writes together ("288" "-331", "n" ".carolk")
    are one token, as they read."""
    located = []
    cursor = 0
    for word in utterance.words:
        at = utterance.text.find(word.text, cursor)
        if at >= 0:
            cursor = at + len(word.text)
        located.append(at)
    token: Token | None = None
    for w_index, (word, at) in enumerate(zip(utterance.words, located, strict=True)):
        glued = (token is not None and at >= 0 and token.char_end == at)
        if glued and token is not None:
            token = replace(token, char_end=at + len(word.text), end=word.end,
                            text=token.text + word.text, last_word=w_index)
            continue
        if token is not None:
            yield token
        end = at + len(word.text) if at >= 0 else -1
        token = Token(0, u_index, w_index, at, end, word.start, word.end, word.text, party,
                      w_index)
    if token is not None:
        yield token


def _runs(stream: list[Token], language: str, max_gap_s: float) -> Iterator[Run]:
    for stretch in _stretches(stream, max_gap_s):
        parts = _with_fillers(stretch, spoken_digits([t.text for t in stretch], language))
        tokens: list[Token] = []
        digits: list[str] = []
        for token, part in [*zip(stretch, parts, strict=True), (None, None)]:
            if part is not None and token is not None:
                tokens.append(token)
                digits.append(part)
                continue
            if any(digits):
                yield Run(tuple(tokens), tuple(digits))
            tokens, digits = [], []


# More words than this from the other party between two of a party's words end a number
# being read ("mhm", "yes, go on" do not; a question does).
MAX_INTERJECTION = 3


def _stretches(stream: list[Token], max_gap_s: float) -> Iterator[list[Token]]:
    stretch: list[Token] = []
    for token in stream:
        if stretch and (token.start - stretch[-1].end > max_gap_s
                        or token.index - stretch[-1].index - 1 > MAX_INTERJECTION):
            yield stretch
            stretch = []
        stretch.append(token)
    if stretch:
        yield stretch


def _with_fillers(stretch: list[Token], parts: list[str | None]) -> list[str | None]:
    """A hesitation ("yyy", "um") between two number tokens is part of the number."""
    result = list(parts)
    for i, token in enumerate(stretch):
        if result[i] is None and token.bare in FILLERS:
            before = next((p for p in reversed(result[:i]) if p != ""), None)
            after = next((p for j, p in enumerate(result[i + 1:], i + 1)
                          if stretch[j].bare not in FILLERS), None)
            if before is not None and after is not None:
                result[i] = ""
    return result


# --- context -------------------------------------------------------------------------------

# Words before a number that say what it is; "neutral" ones say it is none of these.
_CONTEXT: dict[str, str] = {
    Entity.CARD: r"kart\w*|card",
    Entity.CVV: r"cvv2?|cvc2?|cid|kod\w* (?:z tyłu|bezpieczeństwa|zabezpieczając\w*)|"
                r"(?:trzy|trzech|3) (?:ostatnie )?cyfr\w*|(?:three|3|last three) digits|"
                r"security code|back of (?:the|your) card|z tyłu karty|na odwrocie",
    Entity.EXPIRY: r"ważn\w*|data ważności|expir\w*|valid (?:until|thru|through|to)|"
                   r"wygasa\w*|do kiedy",
    Entity.PHONE: r"telefon\w*|komórk\w*|komórkow\w*|phone|mobile|cell|zadzwoni\w*|"
                  r"oddzwoni\w*|call (?:me|you|us)|ring (?:me|you|us)|numer kontaktow\w*|"
                  r"contact number|dzwonić|reach (?:me|you|us)",
    Entity.NIP: r"nip\w*|numer identyfikacji podatkowej|tax (?:id|number)|vat (?:id|number)",
    Entity.REGON: r"regon\w*",
    Entity.ID_CARD: r"dowod\w*|dowód|dowodzie|id card|identity card|numer dokumentu|"
                    r"document number",
    "neutral": r"zamówieni\w*|order|faktur\w*|invoice|referenc\w*|numer klienta|"
               r"customer number|account number|numer sprawy|case number|ticket|zgłoszeni\w*|"
               r"reklamacj\w*|kwot\w*|amount|cen\w*|price|przesyłk\w*|parcel|tracking|"
               r"paczk\w*|umow\w*|contract",
}
_CONTEXT_RE = {kind: re.compile(rf"\b(?:{pattern})\b") for kind, pattern in _CONTEXT.items()}

_AFTER_AMOUNT = re.compile(
    r"^(?:zł\w*|złot\w*|pln|gr|groszy|euro|eur|usd|dolar\w*|dollars?|pounds?|funt\w*|"
    r"procent\w*|percent|%|minut\w*|minutes?|godzin\w*|hours?|dni|days?|sztuk\w*|"
    r"kilo\w*|razy|times)$")


def _nearest(window: str, kinds: Iterable[str]) -> str | None:
    """Of the context kinds (and "neutral"), the one whose keyword comes last in `window`."""
    best: tuple[int, str] | None = None
    for kind in [*kinds, "neutral"]:
        for match in _CONTEXT_RE[kind].finditer(window):
            if best is None or match.end() > best[0]:
                best = (match.end(), kind)
    return best[1] if best else None


def _in_context(call: CallText, run: Run, kind: str, *rivals: str) -> bool:
    return _nearest(call.window(run.tokens[0]), [kind, *rivals]) == kind


def _is_amount(call: CallText, run: Run) -> bool:
    return bool(_AFTER_AMOUNT.match(call.following(run.tokens[-1])))


# --- the registry --------------------------------------------------------------------------

Detector = Callable[[CallText], Iterable[Found]]


@dataclass(frozen=True)
class Registered:
    entity: Entity
    function: Detector

    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def doc(self) -> str:
        return self.function.__doc__ or ""


DETECTORS: list[Registered] = []


def detector(entity: Entity) -> Callable[[Detector], Detector]:
    def register(function: Detector) -> Detector:
        DETECTORS.append(Registered(entity, function))
        return function
    return register


def detect(call: CallText, entities: Iterable[Entity]) -> list[Found]:
    """What the detectors of `entities` find, in registry order, each token found once."""
    wanted = set(entities)
    found: list[Found] = []
    for registered in DETECTORS:
        if registered.entity not in wanted:
            continue
        for candidate in registered.function(call):
            if call.free(candidate.tokens):
                call.claimed.update(t.index for t in candidate.tokens)
                found.append(candidate)
    return sorted(found, key=lambda f: f.tokens[0].index)


# --- detectors, in the order they claim tokens ---------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_AT = frozenset({"małpa", "małpą", "małpka", "malpa", "at"})
_DOT = frozenset({"kropka", "kropką", "dot"})
_JOINERS = _DOT | {"podkreślnik", "underscore", "myślnik", "dash", "minus", "hyphen"}
_TLDS = frozenset({"com", "pl", "net", "org", "eu", "info", "io", "co", "uk", "de", "biz",
                   "edu", "gov", "me", "online", "app", "dev", "onet", "wp"})
_LABEL = re.compile(r"[\w+-]+(?:\.[\w+-]+)*")


@detector(Entity.EMAIL)
def email_address(call: CallText) -> Iterator[Found]:
    """An e-mail address, written or spelled out with "małpa"/"at" and "kropka"/"dot"
    before a top-level domain.

    Found pl: proszę pisać na [jan.kowalski@example.pl] dziękuję
    Found pl: mój adres to [jan kropka kowalski małpa poczta kropka pl] tak
    Found en: it's [john dot smith at example dot com] thanks
    Found en: email me at [j.smith@mail.co.uk]
    Okay en: I'm at home at the moment
    Okay pl: spotkajmy się w biurze
    """
    for stream in call.party_tokens().values():
        for i, token in enumerate(stream):
            if _EMAIL.search(token.text):
                yield Found(Entity.EMAIL, (token,))
            elif token.bare in _AT and i > 0:
                end = _domain_end(stream, i + 1)
                if end is not None:
                    yield Found(Entity.EMAIL, tuple(stream[_local_start(stream, i):end + 1]))


def _domain_end(stream: list[Token], at: int) -> int | None:
    """Where a spoken domain starting at `at` ends (its top-level domain), or None."""
    i, end = at, None
    while i < len(stream) and _LABEL.fullmatch(stream[i].bare):
        if "." in stream[i].bare and stream[i].bare.rsplit(".", 1)[1] in _TLDS:
            end = i
        if i + 2 < len(stream) and stream[i + 1].bare in _DOT and _LABEL.fullmatch(
                stream[i + 2].bare):
            i += 2
            if stream[i].bare in _TLDS:
                end = i
            continue
        break
    return end


def _local_start(stream: list[Token], at: int) -> int:
    start = at - 1
    while start >= 2 and stream[start - 1].bare in _JOINERS and _LABEL.fullmatch(
            stream[start - 2].bare):
        start -= 2
    return start


_IBAN_START = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]*")


@detector(Entity.ACCOUNT)
def bank_account(call: CallText) -> Iterator[Found]:
    """A Polish account number (26 digits, mod 97 as an IBAN with "PL") or an IBAN.

    Found pl: numer konta [61 1090 1014 0000 0712 1981 2874] zgadza się
    Found pl: przelew na [PL61 1090 1014 0000 0712 1981 2874]
    Found en: my IBAN is [GB29 NWBK 6016 1331 9268 19] thanks
    Okay pl: numer konta 61 1090 1014 0000 0712 1981 2875 zgadza się
    Okay en: the order is 12 3456 7890 1234 5678 9012 3456
    """
    for run in call.runs:
        if len(run.digits) == 26 and iban.is_valid("PL" + run.digits):
            tokens = run.tokens
            before = call.tokens[tokens[0].index - 1] if tokens[0].index else None
            if before is not None and before.bare == "pl" and before.party == tokens[0].party:
                tokens = (before, *tokens)
            yield Found(Entity.ACCOUNT, tokens)
    for stream in call.party_tokens().values():
        yield from _ibans(stream)


def _ibans(stream: list[Token]) -> Iterator[Found]:
    for i, token in enumerate(stream):
        text = token.text.strip(".,;:!?")
        if not _IBAN_START.fullmatch(text):
            continue
        longest = None
        for j in range(i, min(i + 12, len(stream))):
            part = stream[j].text.strip(".,;:!?")
            if j > i and not re.fullmatch(r"[A-Z0-9]+", part):
                break
            text = "".join(stream[k].text.strip(".,;:!?") for k in range(i, j + 1))
            if len(text) > 34:
                break
            if iban.is_valid(text):
                longest = j
        if longest is not None:
            yield Found(Entity.ACCOUNT, tuple(stream[i:longest + 1]))


def _card_number(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn.is_valid(digits)


def _card_length(digits: str) -> bool:
    """As long as a card number, give or take a digit the recognizer dropped or added."""
    return 12 <= len(digits) <= 20


@detector(Entity.CARD)
def card_number(call: CallText) -> Iterator[Found]:
    """A payment card number: 13-19 digits that pass the Luhn check, as read (in groups,
    digit by digit, as cardinals), followed or not by its security code or expiry date.

    Found pl: numer karty [4111 1111 1111 1111] dziękuję
    Found pl: to jest [cztery jeden jeden jeden, jeden jeden jeden jeden,
        jeden jeden jeden jeden, jeden jeden jeden jeden]
    Found pl: karta [czterdzieści jeden jedenaście jedenaście jedenaście jedenaście
        jedenaście jedenaście jedenaście] tak
    Found en: my card is [five five five five four four four four three three three three
        one one one one] ok
    Found en: it's [4012 8888 8888 1881] and the CVV one two three
    Found en: the card number and the CVV please? [4111 1111 1111 1111] 123
    Found en: card number [double five double five, four four four four,
        three three three three, one one one one]
    Okay pl: numer zamówienia 4111 1111 1111 1112 proszę
    Okay en: order number four one one one one one one one one one one one one one one two

    A number as long as a card's that fails the check, where the talk is of a card, is one
    the recognizer misheard by a digit: still the customer's card, so it is redacted.

    Found en: the card number please? Sure, [4,539,1488, 5,343,646]. Thank you
    Found pl: numer karty proszę [4539 1488 5343 646] dziękuję
    Okay en: the card number please? my order number is 4539 1488 5343 646
    """
    for run in call.runs:
        if _card_number(run.digits):
            yield Found(Entity.CARD, run.tokens)
            continue
        with_code = False
        for head, tail in run.pieces():
            # read on with its code or expiry date, where the talk is of them
            if len(tail.digits) in (3, 4) and _card_number(head.digits) and (
                    _in_context(call, tail, Entity.CVV, Entity.EXPIRY)
                    or _in_context(call, tail, Entity.EXPIRY, Entity.CVV)):
                with_code = True
                yield Found(Entity.CARD, head.tokens)
        if not with_code and _card_length(run.digits) and _in_context(call, run, Entity.CARD):
            yield Found(Entity.CARD, run.tokens)


def _plausible_pesel(digits: str) -> bool:
    if len(digits) != 11 or not pesel.is_valid(digits):
        return False
    born = pesel.get_birth_date(digits)
    return date(1900, 1, 1) <= born <= date.today()


@detector(Entity.PESEL)
def pesel_number(call: CallText) -> Iterator[Found]:
    """A PESEL: 11 digits with a valid check digit and a birth date that has been.

    Found pl: mój pesel [44051401458] tak
    Found pl: pesel to [cztery cztery zero pięć jeden cztery zero jeden cztery pięć osiem]
    Found pl: [dziewięćdziesiąt dwa zero siedem dwadzieścia jeden zero zero trzy osiem zero]
        to mój pesel
    Found en: my PESEL is [four four zero five one four zero one four five eight]
    Okay pl: mój pesel 44051401459 tak
    Okay pl: zamówienie 12345678901 dotarło
    Okay en: my order number is 44051401459
    """
    for run in call.runs:
        if _plausible_pesel(run.digits):
            yield Found(Entity.PESEL, run.tokens)


_LETTERS = re.compile(r"[A-Z]{3}")
_ID_CARD = re.compile(r"([A-Z]{3})-?(\d{6})")
_LETTER_VALUES = {c: 10 + i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def polish_id_card_is_valid(number: str) -> bool:
    """A Polish identity card number (three letters, six digits; the first digit checks the
    rest with weights 7, 3, 1). python-stdnum has no validator for it (2.2)."""
    number = number.upper().replace(" ", "")
    if not re.fullmatch(r"[A-Z]{3}\d{6}", number):
        return False
    values = [_LETTER_VALUES[c] for c in number[:3]] + [int(d) for d in number[4:]]
    weights = (7, 3, 1, 7, 3, 1, 7, 3)
    return sum(v * w for v, w in zip(values, weights, strict=True)) % 10 == int(number[3])


@detector(Entity.ID_CARD)
def id_card_number(call: CallText) -> Iterator[Found]:
    """A Polish identity card number, three letters and six digits with a valid check
    digit: written as one, or letters then digits where the talk is of an ID card.

    Found pl: numer dowodu [ABA300000] tak
    Found pl: dowód osobisty [ABA trzy zero zero zero zero zero] dziękuję
    Found pl: seria i numer dowodu [A B A 300000]
    Found en: my ID card number is [ABA 300 000]
    Okay pl: numer dowodu ABA300001 tak
    Okay pl: kod ABC 300000 rabatowy
    Okay en: my ID card number is ABA 300 001
    """
    for stream in call.party_tokens().values():
        for i, token in enumerate(stream):
            text = token.text.strip(".,;:!?")
            if _ID_CARD.fullmatch(text) and polish_id_card_is_valid(text.replace("-", "")):
                yield Found(Entity.ID_CARD, (token,))
                continue
            letters, after = _id_letters(stream, i)
            if letters is None:
                continue
            run = next((r for r in call.runs if r.tokens[0] is stream[after]), None) \
                if after < len(stream) else None
            if run is None or len(run.digits) != 6:
                continue
            spoken = letters + run.digits
            if polish_id_card_is_valid(spoken) and _in_context(call, run, Entity.ID_CARD):
                yield Found(Entity.ID_CARD, (*stream[i:after], *run.tokens))


def _id_letters(stream: list[Token], i: int) -> tuple[str | None, int]:
    """Three letters at `i` (one token, or three one-letter tokens) and the index after."""
    text = stream[i].text.strip(".,;:!?")
    if _LETTERS.fullmatch(text):
        return text.upper(), i + 1
    letters = [t.text.strip(".,;:!?") for t in stream[i:i + 3]]
    if len(letters) == 3 and all(len(x) == 1 and x.isalpha() for x in letters):
        return "".join(letters).upper(), i + 3
    return None, i


@detector(Entity.NIP)
def nip_number(call: CallText) -> Iterator[Found]:
    """A NIP (tax number): 10 digits with a valid check digit, said as a NIP.

    Found pl: NIP firmy [526-000-12-46] proszę
    Found pl: nip to [pięćset dwadzieścia sześć zero zero zero dwanaście czterdzieści sześć]
    Found en: our tax ID is [5260001246]
    Okay pl: NIP firmy 526-000-12-47 proszę
    Okay pl: numer zamówienia 5260001246 tak
    Okay en: the invoice number is 5260001246
    """
    for run in call.runs:
        if len(run.digits) == 10 and nip.is_valid(run.digits) and _in_context(
                call, run, Entity.NIP):
            yield Found(Entity.NIP, run.tokens)


@detector(Entity.REGON)
def regon_number(call: CallText) -> Iterator[Found]:
    """A REGON (business register number): 9 or 14 digits with valid check digits, said as
    a REGON.

    Found pl: REGON [123456785] tak
    Found pl: regon [dwanaście trzydzieści cztery pięćdziesiąt sześć siedemdziesiąt osiem pięć]
    Found en: the REGON is [12345678512347]
    Okay pl: REGON 123456786 tak
    Okay pl: zamówienie 123456785 wysłane
    Okay en: the REGON is 12345678512348
    """
    for run in call.runs:
        if len(run.digits) in (9, 14) and regon.is_valid(run.digits) and _in_context(
                call, run, Entity.REGON):
            yield Found(Entity.REGON, run.tokens)


def _phone_number(digits: str) -> bool:
    if len(digits) == 9:
        return digits[0] != "0"  # Polish national
    if len(digits) == 10:
        return digits[0] in "23456789"  # North American
    if len(digits) == 11:
        return digits.startswith(("48", "0", "1"))  # +48 9, UK 0..., +1 10
    if len(digits) == 12:
        return digits.startswith("44")
    if len(digits) == 13:
        return digits.startswith("0048")
    return False


@detector(Entity.PHONE)
def phone_number(call: CallText) -> Iterator[Found]:
    """A phone number (Polish, British or North American shape) said as a phone number,
    or written with its + country code.

    Found pl: mój numer telefonu to [600 700 800] dziękuję
    Found pl: proszę zadzwonić pod [sześćset siedemset osiemset]
    Found pl: telefon [+48 601 234 567]
    Found en: call me back on [oh seven seven double oh nine double oh one two three]
    Found en: my phone number is [212 555 0123]
    Okay pl: numer zamówienia 600 700 800 proszę
    Okay en: the parcel tracking number is 600700800
    """
    for run in call.runs:
        if not _phone_number(run.digits) or _is_amount(call, run):
            continue
        if run.tokens[0].text.startswith("+") or _in_context(call, run, Entity.PHONE):
            yield Found(Entity.PHONE, run.tokens)


def _expiry_date(digits: str) -> bool:
    if len(digits) == 3:
        digits = "0" + digits
    if len(digits) == 6:
        digits = digits[:2] + digits[4:]
    return len(digits) == 4 and 1 <= int(digits[:2]) <= 12


def _short_numbers(call: CallText) -> Iterator[Run]:
    """Runs of up to six digits, and the short tail of a run whose head another detector took
    (a card read together with its code)."""
    for run in call.runs:
        if len(run.digits) <= 6:
            yield run
            continue
        for head, tail in run.pieces():
            if len(tail.digits) <= 4 and not call.free(head.tokens):
                yield tail


@detector(Entity.EXPIRY)
def expiry_date(call: CallText) -> Iterator[Found]:
    """A card's expiry date (month and year) said where the talk is of expiry.

    Found pl: data ważności [dwanaście dwadzieścia siedem]
    Found pl: karta ważna do [12/27] tak
    Found en: expiry date [oh five twenty nine]
    Found en: it expires [11/2028]
    Okay en: expiry date, let me check, it costs 1227 dollars
    Okay pl: zamówienie numer 1227 jest ważne
    """
    for run in _short_numbers(call):
        if _expiry_date(run.digits) and not _is_amount(call, run) and _in_context(
                call, run, Entity.EXPIRY, Entity.CVV):
            yield Found(Entity.EXPIRY, run.tokens)


@detector(Entity.CVV)
def security_code(call: CallText) -> Iterator[Found]:
    """A card security code: 3 or 4 digits said where the talk is of the CVV, the code on
    the back of the card, or its three digits (the question may be the other party's).

    Found pl: kod CVV [123] proszę
    Found pl: trzy cyfry z tyłu karty [siedem osiem dziewięć]
    Found pl: kod z tyłu karty to [sto dwadzieścia trzy]
    Found en: the security code is [four five six]
    Found en: card 4111 1111 1111 1111 CVV [one two three]
    Okay en: CVV please, the order number is 123
    Okay pl: kod CVV podam później, zapłacę sto złotych
    """
    for run in _short_numbers(call):
        if len(run.digits) in (3, 4) and not _is_amount(call, run) and _in_context(
                call, run, Entity.CVV, Entity.EXPIRY):
            yield Found(Entity.CVV, run.tokens)

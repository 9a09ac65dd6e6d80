"""Generate the redaction test set: calls whose reference transcripts carry card numbers,
security codes, expiry dates, PESELs, accounts, ID cards, NIPs, phones and e-mails, spoken
the ways people read them (digits, digit words, pairs as cardinals, "double", mixed, split
over utterances), plus near-misses (order numbers that fail the checksum, amounts, dates).

Numbers are valid where the entity has a checksum (python-stdnum computes the check digits).
Deterministic: the same seed writes the same file.

    .venv/bin/python scripts/make_redaction_set.py [--calls 200] [--seed 13]
        [--out tests/redaction/data/pii_set.jsonl]
"""
from __future__ import annotations

import argparse
import json
import random
import string
from datetime import date, timedelta
from pathlib import Path

from stdnum import iban, luhn
from stdnum.pl import nip, pesel, regon

from callqa.qa.redaction.detect import polish_id_card_is_valid

OUT = Path(__file__).resolve().parents[1] / "tests" / "redaction" / "data" / "pii_set.jsonl"

PL_UNITS = "zero jeden dwa trzy cztery pięć sześć siedem osiem dziewięć".split()
PL_TEENS = ("dziesięć jedenaście dwanaście trzynaście czternaście piętnaście szesnaście "
            "siedemnaście osiemnaście dziewiętnaście").split()
PL_TENS = ["", "", "dwadzieścia", "trzydzieści", "czterdzieści", "pięćdziesiąt",
           "sześćdziesiąt", "siedemdziesiąt", "osiemdziesiąt", "dziewięćdziesiąt"]
PL_HUNDREDS = ["", "sto", "dwieście", "trzysta", "czterysta", "pięćset", "sześćset",
               "siedemset", "osiemset", "dziewięćset"]
EN_UNITS = "zero one two three four five six seven eight nine".split()
EN_TEENS = ("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen "
            "nineteen").split()
EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
           "ninety"]


def cardinal(n: int, language: str) -> str:
    """0-999 as words."""
    units, teens, tens = (PL_UNITS, PL_TEENS, PL_TENS) if language == "pl" else (
        EN_UNITS, EN_TEENS, EN_TENS)
    if n < 10:
        return units[n]
    if n < 20:
        return teens[n - 10]
    if n < 100:
        return tens[n // 10] + ("" if n % 10 == 0 else " " + units[n % 10])
    head = PL_HUNDREDS[n // 100] if language == "pl" else f"{units[n // 100]} hundred"
    return head + ("" if n % 100 == 0 else " " + cardinal(n % 100, language))


def digit_words(digits: str, language: str) -> str:
    units = PL_UNITS if language == "pl" else EN_UNITS
    return " ".join(units[int(d)] for d in digits)


def pairs(digits: str, language: str) -> str:
    """Two digits at a time as cardinals; a pair with a leading zero digit by digit. An odd
    group starts with its single digit: "30" then "6" would be heard as 36."""
    out = []
    if len(digits) % 2:
        out.append(digit_words(digits[0], language))
        digits = digits[1:]
    for i in range(0, len(digits), 2):
        pair = digits[i:i + 2]
        out.append(digit_words(pair, language) if pair[0] == "0" or len(pair) == 1
                   else cardinal(int(pair), language))
    return " ".join(out)


def doubled(digits: str) -> str:
    """English, with "double" for a digit said twice in a row."""
    out, i = [], 0
    while i < len(digits):
        if i + 1 < len(digits) and digits[i] == digits[i + 1]:
            out.append("double " + EN_UNITS[int(digits[i])])
            i += 2
        else:
            out.append(EN_UNITS[int(digits[i])])
            i += 1
    return " ".join(out)


def groups(digits: str, size: int = 4) -> list[str]:
    return [digits[i:i + size] for i in range(0, len(digits), size)]


def spoken(digits: str, language: str, rng: random.Random, group: int = 4) -> str:
    """One way of reading `digits` aloud, as a recognizer may write it."""
    parts = groups(digits, group)
    style = rng.choice(["digits", "words", "pairs", "mixed"] + (["double"] if language == "en"
                                                                   else []))
    if style == "digits":
        return " ".join(parts)
    if style == "words":
        return ", ".join(digit_words(p, language) for p in parts)
    if style == "pairs":
        return ", ".join(pairs(p, language) for p in parts)
    if style == "double":
        return ", ".join(doubled(p) for p in parts)
    return ", ".join(p if i % 2 == 0 else digit_words(p, language) for i, p in enumerate(parts))


# --- valid numbers --------------------------------------------------------------------------


def card(rng: random.Random) -> str:
    prefix, length = rng.choice([("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("37", 15),
                                 ("6011", 16), ("4", 13)])
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def not_a_card(rng: random.Random) -> str:
    number = card(rng)
    return number[:-1] + str((int(number[-1]) + rng.randint(1, 9)) % 10)


def pesel_number(rng: random.Random) -> str:
    born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 65 * 365))
    month = born.month + (20 if born.year >= 2000 else 0)
    body = f"{born.year % 100:02d}{month:02d}{born.day:02d}{rng.randint(0, 9999):04d}"
    return body + pesel.calc_check_digit(body)


def not_a_pesel(rng: random.Random) -> str:
    number = pesel_number(rng)
    return number[:-1] + str((int(number[-1]) + rng.randint(1, 9)) % 10)


def account(rng: random.Random) -> str:
    bban = "".join(rng.choice(string.digits) for _ in range(24))
    return iban.calc_check_digits("PL00" + bban) + bban


def id_card(rng: random.Random) -> str:
    while True:
        letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
        rest = "".join(rng.choice(string.digits) for _ in range(5))
        for check in string.digits:
            if polish_id_card_is_valid(letters + check + rest):
                return letters + check + rest


def nip_number(rng: random.Random) -> str:
    while True:  # stdnum has no NIP check digit calculation: try each
        body = str(rng.randint(1, 9)) + "".join(rng.choice(string.digits) for _ in range(8))
        for check in string.digits:
            if nip.is_valid(body + check):
                return body + check


def regon_number(rng: random.Random) -> str:
    body = "".join(rng.choice(string.digits) for _ in range(8))
    return body + regon.calc_check_digit(body)


def phone(rng: random.Random, language: str) -> str:
    if language == "pl":
        return rng.choice("5678") + "".join(rng.choice(string.digits) for _ in range(8))
    return "07" + "".join(rng.choice(string.digits) for _ in range(9))


FIRST = ["jan", "anna", "piotr", "ewa", "john", "mary", "tom", "kate"]
LAST = ["kowalski", "nowak", "wisniewska", "smith", "brown", "jones"]
DOMAINS = [("example", "com"), ("poczta", "pl"), ("mail", "co.uk"), ("firma", "pl")]


def email(rng: random.Random, language: str) -> tuple[str, str]:
    """(how it is written in the transcript, a spoken form) of one address."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    domain, tld = rng.choice(DOMAINS)
    written = f"{first}.{last}@{domain}.{tld}"
    dot, at = ("kropka", "małpa") if language == "pl" else ("dot", "at")
    tld_words = f" {dot} ".join(tld.split("."))
    return written, f"{first} {dot} {last} {at} {domain} {dot} {tld_words}"


# --- calls ----------------------------------------------------------------------------------

QUESTIONS = {
    "pl": {"card": "Proszę podać numer karty.", "cvv": "A trzy cyfry z tyłu karty, kod CVV?",
           "expiry": "Jaka jest data ważności karty?", "pesel": "Poproszę numer PESEL.",
           "account": "Na jaki numer konta mamy zwrócić pieniądze?",
           "id_card": "Proszę podać serię i numer dowodu osobistego.",
           "nip": "Jaki jest NIP firmy?", "phone": "Pod jaki numer telefonu oddzwonić?",
           "email": "Na jaki adres e-mail wysłać potwierdzenie?",
           "order": "Proszę podać numer zamówienia.", "amount": "Jaka była kwota?",
           "date": "Kiedy złożył Pan zamówienie?"},
    "en": {"card": "Could I have the card number, please?",
           "cvv": "And the three digits on the back of the card, the security code?",
           "expiry": "What is the expiry date on the card?",
           "pesel": "Could you give me your PESEL number?",
           "account": "Which account number should the refund go to?",
           "id_card": "Could you read me your ID card number?",
           "nip": "What is the company's tax ID?",
           "phone": "Which phone number should we call you back on?",
           "email": "Which e-mail address should the confirmation go to?",
           "order": "Could you give me the order number?", "amount": "What was the amount?",
           "date": "When did you place the order?"},
}
ANSWERS = {
    "pl": {"card": "Numer karty to {}.", "cvv": "{}.", "expiry": "Ważna do {}.",
           "pesel": "Mój PESEL to {}.", "account": "Numer konta: {}.",
           "id_card": "Seria i numer {}.",
           "nip": "NIP to {}.", "phone": "Mój numer telefonu to {}.", "email": "Proszę na {}.",
           "order": "Numer zamówienia to {}.", "amount": "Zapłaciłem {}.", "date": "{}."},
    "en": {"card": "Sure, it's {}.", "cvv": "It's {}.", "expiry": "It expires {}.",
           "pesel": "My PESEL is {}.", "account": "The account number is {}.",
           "id_card": "It's {}.", "nip": "Our tax ID is {}.", "phone": "You can call me on {}.",
           "email": "Please send it to {}.", "order": "The order number is {}.",
           "amount": "I paid {}.", "date": "It was {}."},
}
MONTHS_PL = ("stycznia lutego marca kwietnia maja czerwca lipca sierpnia września "
             "października listopada grudnia").split()
ORDINALS_PL = ("pierwszego drugiego trzeciego czwartego piątego szóstego siódmego ósmego "
               "dziewiątego dziesiątego jedenastego dwunastego trzynastego").split()
MONTHS_EN = ("January February March April May June July August September October November "
             "December").split()


def say(kind: str, language: str, rng: random.Random) -> tuple[str, str]:
    """(entity type, or "near_miss:<kind>"; what the customer says for it)."""
    if kind == "card":
        return "card", spoken(card(rng), language, rng)
    if kind == "cvv":
        digits = "".join(rng.choice(string.digits) for _ in range(3))
        style = rng.choice(["digits", "words", "cardinal"])
        if style == "digits":
            return "cvv", digits
        if style == "cardinal" and digits[0] != "0":
            return "cvv", cardinal(int(digits), language)
        return "cvv", digit_words(digits, language)
    if kind == "expiry":
        month, year = rng.randint(1, 12), rng.randint(26, 32)
        if rng.random() < 0.5:
            return "expiry", f"{month:02d}/{year}"
        words = cardinal(month, language) if language == "pl" or month >= 10 else (
            "oh " + EN_UNITS[month])
        return "expiry", f"{words} {cardinal(year, language)}"
    if kind == "pesel":
        number = pesel_number(rng)
        return "pesel", number if rng.random() < 0.3 else spoken(number, language, rng, 3)
    if kind == "account":
        number = account(rng)
        return "account", " ".join([number[:2], *groups(number[2:])]) if rng.random() < 0.6 \
            else spoken(number, language, rng)
    if kind == "id_card":
        number = id_card(rng)
        if rng.random() < 0.5:
            return "id_card", number
        return "id_card", f"{number[:3]} {digit_words(number[3:], language)}"
    if kind == "nip":
        number = nip_number(rng)
        return "nip", rng.choice([f"{number[:3]}-{number[3:6]}-{number[6:8]}-{number[8:]}",
                                  number])
    if kind == "phone":
        number = phone(rng, language)
        return "phone", spoken(number, language, rng, 3)
    if kind == "email":
        written, words = email(rng, language)
        return "email", written if rng.random() < 0.5 else words
    if kind == "order":
        number = not_a_card(rng) if rng.random() < 0.6 else not_a_pesel(rng)
        return "near_miss:order", spoken(number, language, rng)
    if kind == "amount":
        value = rng.randint(101, 999)
        unit = "złotych" if language == "pl" else "pounds"
        return "near_miss:amount", rng.choice([f"{value} {unit}",
                                               f"{cardinal(value, language)} {unit}"])
    day, month = rng.randint(1, 13), rng.randint(1, 12)
    if language == "pl":
        return "near_miss:date", f"{ORDINALS_PL[day - 1]} {MONTHS_PL[month - 1]}"
    return "near_miss:date", f"{MONTHS_EN[month - 1]} {day}, 2025"


KINDS = ["card", "cvv", "expiry", "pesel", "account", "id_card", "nip", "phone", "email",
         "order", "amount", "date"]


def make_call(index: int, language: str, rng: random.Random) -> dict:
    """An opening, three to five asks and answers, a closing; sometimes an answer is split
    over two utterances with the agent's "mhm" between."""
    greeting = ("Dzień dobry, w czym mogę pomóc?" if language == "pl"
                else "Good morning, how can I help?")
    timing: list[dict] = []
    entities: list[dict] = []
    clock = 0.0

    def add(speaker: str, text: str) -> int:
        nonlocal clock
        length = 0.8 + 0.35 * len(text.split())
        timing.append({"speaker": speaker, "start": round(clock, 2),
                       "end": round(clock + length, 2), "text": text})
        clock += length + rng.uniform(0.3, 1.2)
        return len(timing) - 1

    add("agent", greeting)
    asked = rng.sample(KINDS, rng.randint(3, 5))
    if "cvv" in asked and "card" not in asked:
        asked.insert(asked.index("cvv"), "card")
    for kind in asked:
        add("agent", QUESTIONS[language][kind])
        entity, words = say(kind, language, rng)
        sentence = ANSWERS[language][kind].format(words)
        parts = words.split(", ")
        if len(parts) >= 2 and rng.random() < 0.3:  # read in two goes
            cut = len(parts) // 2
            first = ANSWERS[language][kind].format(", ".join(parts[:cut]))[:-1]
            u1 = add("customer", first)
            add("agent", "Mhm." if language == "pl" else "Mhm.")
            u2 = add("customer", ", ".join(parts[cut:]) + ".")
            entities.append({"entity": entity, "said": [
                [u1, ", ".join(parts[:cut])], [u2, ", ".join(parts[cut:])]]})
        else:
            u = add("customer", sentence)
            entities.append({"entity": entity, "said": [[u, words]]})
    add("agent", "Dziękuję, do widzenia." if language == "pl" else "Thank you, goodbye.")
    return {"id": f"pii{language}{index:03d}", "language": language,
            "duration": round(clock, 2), "timing": timing, "entities": entities}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="per language")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for language in ("pl", "en"):
            for index in range(args.calls):
                out.write(json.dumps(make_call(index, language, rng), ensure_ascii=False) + "\n")
    print(f"wrote {2 * args.calls} calls to {args.out}")


if __name__ == "__main__":
    main()

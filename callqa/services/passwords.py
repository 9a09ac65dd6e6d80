"""The password policy of NIST SP 800-63B (5.1.1.2): long enough, and not a password that
is common or guessable from the context (the user name, the product's name). No composition
rules (a digit, a capital...) and no expiry: they make passwords worse, not stronger."""
from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

from callqa.qa.messages import N_

MIN_LENGTH = 12
PRODUCT_NAMES = ("callqa", "callcenter", "callcentre")  # as a password's letters and digits
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")  # what people put around a common word
_NOT_ALNUM = re.compile(r"[\W_]+")
_NAME_INSIDE_MIN = 4  # a shorter user name is refused only as the whole password


def password_problem(password: str, username: str = "") -> str | None:
    """Why this password is refused (a message id), or None when it may be used."""
    password = unicodedata.normalize("NFKC", password or "")
    if len(password) < MIN_LENGTH:
        return N_("A password must have at least 12 characters.")
    if _is_from_context(password.lower(), username.strip().lower()):
        return N_("A password must not contain the user name or the product's name.")
    if _is_common(password.lower()):
        return N_("This password is too easy to guess: choose a less common one, "
                  "a few unrelated words for example.")
    return None


def _is_common(text: str) -> bool:
    """Listed, or a listed word with digits or signs around it (`password2024!`), or one
    piece repeated (`abcabcabcabc`, `monkeymonkey`), or a run like `1234567890ab`."""
    common = common_passwords()
    core = _EDGES.sub("", text)
    squeezed = _NOT_ALNUM.sub("", text)
    candidates = {text, core, squeezed, _EDGES.sub("", squeezed)}
    if any(candidate in common for candidate in candidates if candidate):
        return True
    if any(_repeated_piece(candidate) for candidate in candidates if candidate):
        return True
    return _is_run(squeezed)


def _repeated_piece(text: str) -> bool:
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return True
    return False


def _is_run(text: str) -> bool:
    """Mostly one ascending or descending run of characters (`abcdefghijkl`, `0987654321`)."""
    steps = [ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)]
    return bool(steps) and max(steps.count(1), steps.count(-1)) >= len(steps) - 2


def _is_from_context(text: str, username: str) -> bool:
    letters = _NOT_ALNUM.sub("", text)
    if any(name in letters for name in PRODUCT_NAMES):
        return True
    name = _NOT_ALNUM.sub("", username)
    if not name:
        return False
    if len(name) >= _NAME_INSIDE_MIN:
        return name in letters
    return _EDGES.sub("", letters) == name


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (scripts/make_common_passwords.py): a few thousand, lower-case."""
    text = resources.files("callqa.services").joinpath("common_passwords.txt").read_text(
        encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))

"""Customer identity from phone numbers, normalized to E.164."""
from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-./()]")


def normalize_phone(raw: str | None, default_country_code: str = "48") -> str | None:
    """E.164 form of `raw`, or None when it is not a phone number.

    A national number (nine digits for Poland, the default) gets the default country code;
    "00" is the international prefix. "+48 600 100 200", "0048600100200", "600-100-200" and
    "48600100200" are all "+48600100200".
    """
    if not raw:
        return None
    text = _SEPARATORS.sub("", raw.strip())
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    else:
        digits = _with_country_code(text, default_country_code)
    if not digits or not digits.isdigit() or not 7 <= len(digits) <= 15:
        return None
    return "+" + digits


def _with_country_code(national: str, country_code: str) -> str:
    if country_code == "48":
        if len(national) == 11 and national.startswith("48"):
            return national
        if len(national) == 9:
            return "48" + national
    if national.startswith("0"):  # trunk prefix used in most of Europe
        national = national[1:]
    return country_code + national

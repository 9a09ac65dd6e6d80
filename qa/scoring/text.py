"""Text normalization shared by lexicons and transcripts: case- and diacritics-insensitive keys."""
from __future__ import annotations

import unicodedata

_POLISH_LETTERS = str.maketrans("ąćęłńóśźż", "acelnoszz")  # "ł" has no Unicode decomposition
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def fold(text: str) -> str:
    """Casefolded text without diacritics: "Dziękuję" -> "dziekuje", "you’re" -> "you're"."""
    folded = text.casefold().translate(_APOSTROPHES).translate(_POLISH_LETTERS)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))

"""One-off: the hand-written Polish dict (web/i18n_pl.py) into the gettext catalog.

Reads web/translations/messages.pot (pybabel extract) and writes
web/translations/pl/LC_MESSAGES/messages.po with every entry of `PL` whose message is
extracted, its {name} placeholders turned into %(name)s as the code now has them. Prints the
entries of `PL` that nothing extracts any more, and the extracted messages `PL` lacks."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from callqa.web.i18n_pl import PL

ROOT = Path(__file__).resolve().parents[1]
POT = ROOT / "web/translations/messages.pot"
PO = ROOT / "web/translations/pl/LC_MESSAGES/messages.po"
BRACE = re.compile(r"\{(\w+)\}")


def gettext_style(text: str) -> str:
    """{name} -> %(name)s; a literal % in such a text -> %%."""
    return BRACE.sub(r"%(\1)s", text.replace("%", "%%")) if BRACE.search(text) else text


def main() -> int:
    with PO.open("rb") as stream:
        catalog = read_po(stream, locale="pl")
    with POT.open("rb") as stream:
        template = read_po(stream)
    catalog.update(template)
    polish = {gettext_style(english): gettext_style(text) for english, text in PL.items()}
    unused = sorted(set(polish) - {m.id for m in catalog if m.id})
    for message in catalog:
        if message.id and not message.pluralizable and message.id in polish:
            message.string = polish[message.id]
            message.flags.discard("fuzzy")
    with PO.open("wb") as stream:
        write_po(stream, catalog)
    lacking = sorted(str(m.id) for m in catalog if m.id and not m.string)
    print("in PL but not extracted:", *unused, sep="\n  ")
    print("extracted, not in PL:", *lacking, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())

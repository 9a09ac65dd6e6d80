"""Request arguments of the lists, the dashboard and the export, read in one place: each value
by the one typed parser (`callqa.settings.parse_value`), then held to what the database and
the calendar can take. A value that does not read, or is out of range, is left out, and the
caller is told which (`Rejected`): pages say so beside what they show, the export refuses.

Ranges: numbers (ids, pages) fit the database's integer column (PostgreSQL `integer`, where a
larger one is an error, not "no match"); days lie between 1900 and 2999, so a range's end
plus a day is still a date; other numbers are finite.

Days read as ISO 8601 (2026-11-02, as links carry them) or as day.month.year (02.11.2026,
as the Polish UI shows and its users type them): the two cannot be mistaken for each other."""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from callqa.settings import InvalidValue, parse_value, without_none

INT_MAX = 2**31 - 1
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


@dataclass(frozen=True)
class Rejected:
    """An argument left out: its name and the value given (shortened for display)."""

    name: str
    value: str

    @classmethod
    def of(cls, name: str, raw: str) -> Rejected:
        return cls(name, raw if len(raw) <= 40 else raw[:40] + "…")


Rejections = list[Rejected]


_DOTTED_DAY = re.compile(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*")


def read_day(raw: str, name: str) -> date:
    """A day typed as ISO 8601 or as day.month.year; raises InvalidValue naming `name`."""
    dotted = _DOTTED_DAY.fullmatch(raw)
    if dotted is None:
        return parse_value(date, raw, name)
    day, month, year = (int(part) for part in dotted.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidValue(name, raw, "a date (YYYY-MM-DD or DD.MM.YYYY)") from None


def read_argument(kind: Any, raw: str, name: str) -> Any:
    """`raw` as `kind`, within range; raises InvalidValue naming `name`."""
    kind = without_none(kind)
    value: Any = read_day(raw, name) if kind is date else parse_value(kind, raw, name)
    if kind is int and not -INT_MAX <= value <= INT_MAX:
        raise InvalidValue(name, raw, f"a whole number up to {INT_MAX}")
    if kind is float and not math.isfinite(value):
        raise InvalidValue(name, raw, "a finite number")
    if kind is date and not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidValue(name, raw, f"a day from {FIRST_DAY} to {LAST_DAY}")
    return value


def argument(args: Mapping[str, str], name: str, kind: Any,
             rejected: Rejections | None = None) -> Any:
    """The argument `name` of `args` as `kind`; None when missing, or when it does not read
    or is out of range (then noted in `rejected`)."""
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return read_argument(kind, raw, name)
    except InvalidValue:
        if rejected is not None:
            rejected.append(Rejected.of(name, raw))
        return None

"""Request arguments of the lists, the dashboard and the export, read in one place: each value
by the one typed parser (`callqa.settings.parse_value`), then held to what the database and
the calendar can take. A value that does not read, or is out of range, is left out, and the
caller is told which (`Rejected`): pages say so beside what they show, the export refuses.

Ranges: numbers (ids, pages) fit the database's integer column (PostgreSQL `integer`, where a
larger one is an error, not "no match"); days lie between 1900 and 2999, so a range's end
plus a day is still a date; other numbers are finite."""
from __future__ import annotations

import math
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


def read_argument(kind: Any, raw: str, name: str) -> Any:
    """`raw` as `kind`, within range; raises InvalidValue naming `name`."""
    value = parse_value(kind, raw, name)
    kind = without_none(kind)
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

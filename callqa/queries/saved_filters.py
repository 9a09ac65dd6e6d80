"""Saved filters of the call list, read back: a user's own (nobody else's: another user's id
finds nothing), and the list arguments they stand for.

A saved filter holds only the list's arguments, as validated when it was saved. They are
validated again when it is applied, as the list validates its request arguments: one the
list no longer knows, or whose value no longer reads, is left out and named (`Rejected`).
Whose calls it shows is never in it: the list applies the user's own scope (an agent's own
calls, a supervisor's teams), so a filter on an agent the user may no longer see finds
nothing rather than that agent's calls."""
from __future__ import annotations

from dataclasses import fields
from datetime import date
from enum import Enum
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.models import SavedFilter
from callqa.queries.arguments import Rejected, Rejections
from callqa.queries.call_list import CallFilters

__all__ = ["FILTER_NAMES", "default_filter", "filter_args", "filter_query", "own_filter",
           "stored_filter_args", "user_filters"]

# the list arguments a filter keeps: CallFilters' fields (never its scope); not the page
FILTER_NAMES = tuple(f.name for f in fields(CallFilters) if f.name != "scope")
_DEFAULTS = CallFilters()


def user_filters(session: Session, user_id: int) -> list[SavedFilter]:
    """The user's saved filters by name."""
    return list(session.scalars(select(SavedFilter).where(SavedFilter.user_id == user_id)
                                .order_by(SavedFilter.name, SavedFilter.id)))


def own_filter(session: Session, user_id: int, filter_id: int) -> SavedFilter | None:
    """The saved filter if it is this user's; None for another's, as for none."""
    return session.scalar(select(SavedFilter).where(SavedFilter.id == filter_id,
                                                    SavedFilter.user_id == user_id))


def default_filter(session: Session, user_id: int) -> SavedFilter | None:
    """The saved filter the user's list opens with, if they chose one."""
    return session.scalar(select(SavedFilter).where(SavedFilter.user_id == user_id,
                                                    SavedFilter.is_default.is_(True))
                          .order_by(SavedFilter.id).limit(1))


def filter_args(filters: CallFilters, without: tuple[str, ...] = ()) -> dict[str, str]:
    """The list arguments that give `filters` (those left at their defaults left out), as the
    list reads them; `without` names arguments to leave out as well."""
    args: dict[str, str] = {}
    for name in FILTER_NAMES:
        value = getattr(filters, name)
        if name in without or value is None or value == getattr(_DEFAULTS, name):
            continue
        args[name] = _as_argument(value)
    return args


def filter_query(filters: CallFilters, without: tuple[str, ...] = ()) -> str:
    """filter_args as a URL query string: what a saved filter keeps."""
    return urlencode(filter_args(filters, without))


def _as_argument(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def stored_filter_args(query: str, rejected: Rejections | None = None) -> dict[str, str]:
    """The list arguments of a saved filter's `query`, validated as the list validates them;
    each argument left out (unknown to the list, or a value that does not read or is out of
    range) is noted in `rejected`."""
    given: dict[str, str] = {}
    for name, value in parse_qsl(query):
        if name not in FILTER_NAMES:
            _reject(rejected, name, value)
        elif name not in given:  # the first, as a request's args.get reads it
            given[name] = value
    filters = CallFilters.from_args(given, rejected)
    if "sort" in given and filters.sort != given["sort"]:
        _reject(rejected, "sort", given["sort"])
    return filter_args(filters)


def _reject(rejected: Rejections | None, name: str, value: str) -> None:
    if rejected is not None:
        rejected.append(Rejected.of(name, value))

"""Saving a user's call-list filters under a name, renaming, deleting, and choosing the one
their list opens with (at most one per user). The caller gives the list's arguments already
validated (callqa.queries.saved_filters.filter_query) and makes sure the saved filter is the
user's own. Works in the caller's session, never commits."""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from callqa.models import SavedFilter
from callqa.models.saved_filter import NAME_LENGTH
from callqa.qa.messages import N_

__all__ = ["MAX_FILTERS", "MAX_QUERY", "SavedFilterError", "delete_filter", "rename_filter",
           "save_filter", "set_default"]

MAX_FILTERS = 50  # per user: one-click links on the list, not an archive
MAX_QUERY = 2000  # characters of arguments; every filter of the list set fits in far fewer


class SavedFilterError(ValueError):
    """A saved-filter change that cannot be made; the message (an msgid) says why."""


def save_filter(session: Session, user_id: int, name: str, query: str,
                make_default: bool = False) -> SavedFilter:
    """The user's filters `query` saved as `name`, the list's default if `make_default`."""
    name = _checked_name(session, user_id, name)
    if len(query) > MAX_QUERY:
        raise SavedFilterError(N_("These filters are too long to save."))
    count = session.scalar(select(func.count()).select_from(SavedFilter)
                           .where(SavedFilter.user_id == user_id)) or 0
    if count >= MAX_FILTERS:
        raise SavedFilterError(N_("You have kept as many saved filters as one user may: "
                                  "delete one first."))
    saved = SavedFilter(user_id=user_id, name=name, query=query, is_default=False)
    session.add(saved)
    session.flush()
    if make_default:
        set_default(session, saved, True)
    return saved


def rename_filter(session: Session, saved: SavedFilter, name: str) -> None:
    saved.name = _checked_name(session, saved.user_id, name, saved.id)
    session.flush()


def set_default(session: Session, saved: SavedFilter, on: bool) -> None:
    """Make `saved` the filter its user's list opens with (no other is then), or not."""
    if on:
        session.execute(update(SavedFilter)
                        .where(SavedFilter.user_id == saved.user_id, SavedFilter.id != saved.id)
                        .values(is_default=False)
                        .execution_options(synchronize_session="fetch"))
    saved.is_default = on
    session.flush()


def delete_filter(session: Session, saved: SavedFilter) -> None:
    session.delete(saved)
    session.flush()


def _checked_name(session: Session, user_id: int, name: str,
                  renamed_id: int | None = None) -> str:
    """`name` trimmed, if the user has no other filter of that name (in any letter case)."""
    name = " ".join(name.split())
    if not name or len(name) > NAME_LENGTH:
        raise SavedFilterError(N_("A saved filter's name is 1-100 characters."))
    query = select(SavedFilter.id).where(SavedFilter.user_id == user_id,
                                         func.lower(SavedFilter.name) == name.lower())
    if renamed_id is not None:
        query = query.where(SavedFilter.id != renamed_id)
    if session.scalar(query.limit(1)) is not None:
        raise SavedFilterError(N_("You have a saved filter of this name already."))
    return name

"""Saved filters of the call list: everyone signed in saves their list's current filters under
a name (a supervisor the supervisors' list, an agent their own calls), applies them with one
click, renames and deletes them, and may have the list open with one. They are the user's
own: another user's saved filter is 404, as if it did not exist. Applying one leads to the
user's list with its arguments, where the user's own scope applies as it always does."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from callqa.models import SavedFilter
from callqa.queries.arguments import Rejections
from callqa.queries.call_list import CallFilters
from callqa.queries.saved_filters import (
    default_filter,
    filter_query,
    own_filter,
    stored_filter_args,
    user_filters,
)
from callqa.services import saved_filters as saving
from callqa.services.saved_filters import SavedFilterError
from callqa.web import db
from callqa.web.access import SUPERVISORS, login_required, signed_in_user
from callqa.web.i18n import gettext as _
from callqa.web.listing import say_ignored

bp = Blueprint("saved_filters", __name__)


@dataclass(frozen=True)
class SavedFiltersPanel:
    """What the list shows of the user's saved filters (calls/_saved_filters.html)."""

    filters: list[SavedFilter]
    args: str  # the list's current filters, as a saved filter keeps them
    current_id: int | None  # the saved filter whose filters the list shows now, if any


def panel(filters: CallFilters) -> SavedFiltersPanel:
    """For the list showing `filters` (as read from the request, before any scope)."""
    saved = user_filters(db(), signed_in_user().id)
    args = filter_query(filters, _pinned())
    current = next((s.id for s in saved if _query(s.query) == args), None)
    return SavedFiltersPanel(saved, args, current)


def opening_redirect() -> Response | None:
    """The list opened without arguments, by a user who chose a saved filter to open it
    with: to the list with that filter's arguments (None: show the list as asked)."""
    if request.args:
        return None
    saved = default_filter(db(), signed_in_user().id)
    if saved is None:
        return None
    rejected: Rejections = []
    args = _list_args(saved.query, rejected)
    say_ignored(rejected)
    return redirect(_list_url(args)) if args else None


@bp.post("/saved-filters")
@login_required
def create():
    rejected: Rejections = []
    args = _list_args(request.form.get("args", ""), rejected)
    say_ignored(rejected)
    try:
        saved = saving.save_filter(db(), signed_in_user().id, request.form.get("name", ""),
                                   _query_of(args), request.form.get("default") == "1")
    except SavedFilterError as exc:
        flash(_(str(exc)), "error")
        return redirect(_list_url(args), code=303)
    db().commit()
    flash(_("Filters saved as “%(name)s”.", name=saved.name), "ok")
    return redirect(_list_url(args), code=303)


@bp.get("/saved-filters/<int:filter_id>")
@login_required
def apply(filter_id: int):
    saved = _own(filter_id)
    rejected: Rejections = []
    args = _list_args(saved.query, rejected)
    say_ignored(rejected)
    return redirect(_list_url(args))


@bp.post("/saved-filters/<int:filter_id>/rename")
@login_required
def rename(filter_id: int):
    saved = _own(filter_id)
    try:
        saving.rename_filter(db(), saved, request.form.get("name", ""))
    except SavedFilterError as exc:
        flash(_(str(exc)), "error")
        return _back()
    db().commit()
    flash(_("Saved filter renamed to “%(name)s”.", name=saved.name), "ok")
    return _back()


@bp.post("/saved-filters/<int:filter_id>/default")
@login_required
def default(filter_id: int):
    saved = _own(filter_id)
    on = request.form.get("default") == "1"
    saving.set_default(db(), saved, on)
    db().commit()
    if on:
        flash(_("Your list now opens with “%(name)s”.", name=saved.name), "ok")
    else:
        flash(_("Your list no longer opens with a saved filter."), "ok")
    return _back()


@bp.post("/saved-filters/<int:filter_id>/delete")
@login_required
def delete(filter_id: int):
    saved = _own(filter_id)
    name = saved.name
    saving.delete_filter(db(), saved)
    db().commit()
    flash(_("Saved filter “%(name)s” deleted.", name=name), "ok")
    return _back()


def _own(filter_id: int) -> SavedFilter:
    saved = own_filter(db(), signed_in_user().id, filter_id)
    if saved is None:
        abort(404)
    return saved


def _back() -> Response:
    """To the list as it was (the form's `args`), with the saved filters in view."""
    return redirect(_list_url(_list_args(request.form.get("args", ""))) + "#saved-filters",
                    code=303)


def _pinned() -> tuple[str, ...]:
    """Arguments the user's list sets itself, which their saved filters leave out: an
    agent's list shows their own calls whatever agent_id says."""
    return () if signed_in_user().role in SUPERVISORS else ("agent_id",)


def _list_args(query: str, rejected: Rejections | None = None) -> dict[str, str]:
    args = stored_filter_args(query, rejected)
    for name in _pinned():
        args.pop(name, None)
    return args


def _query(query: str) -> str:
    return _query_of(_list_args(query))


def _query_of(args: dict[str, str]) -> str:
    return urlencode(args)


def _list_url(args: dict[str, str]) -> str:
    endpoint = "calls.index" if signed_in_user().role in SUPERVISORS else "agent.my_calls"
    # Any: url_for also takes typed options (_external...), which mypy would match these to
    values: dict[str, Any] = dict(args)
    return url_for(endpoint, **values)

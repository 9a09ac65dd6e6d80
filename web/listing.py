"""Call lists in the UI (the supervisors' list, an agent's "my calls"): the page the request
asks for, and paging and sort links that keep the current filters."""
from __future__ import annotations

from typing import Any

from flask import flash, request, url_for
from sqlalchemy.orm import Session

from callqa.queries import call_list as queries
from callqa.queries.arguments import Rejections, argument
from callqa.queries.call_list import PER_PAGE, CallFilters, CallList
from callqa.web.i18n import gettext as _


def call_list(session: Session, filters: CallFilters,
              rejected: Rejections | None = None) -> CallList:
    """The page of the list in the request's `page` and `per_page` arguments."""
    return queries.call_list(session, filters, page_arg("page", 1, rejected),
                             page_arg("per_page", PER_PAGE, rejected))


def empty_list(filters: CallFilters) -> CallList:
    return CallList.empty(filters)


def page_arg(name: str, default: int, rejected: Rejections | None = None) -> int:
    value = argument(request.args, name, int, rejected)
    return default if value is None else value


def say_ignored(rejected: Rejections) -> None:
    """A notice on the page for each argument it could not use."""
    for item in rejected:
        if item.name == "range":
            flash(_("That range has too many periods to show: it starts on %(day)s instead. "
                    "For a longer range choose weeks or months.", day=item.value), "error")
        else:
            flash(_("Ignored %(name)s=%(value)s: not a valid value, or out of range.",
                    name=item.name, value=item.value), "error")


def url_with(**changes: object) -> str:
    """This page's URL with some arguments changed (None removes one)."""
    # Any: url_for also takes typed options (_external...), which mypy would match these to.
    args: dict[str, Any] = {k: v for k, v in request.args.items() if v != ""}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = str(value)
    assert request.endpoint is not None  # a request routed to a view has one
    return url_for(request.endpoint, **args)


def sort_url(filters: CallFilters, key: str) -> str:
    """Sort by `key`; again on the current key flips the direction."""
    descending = not filters.descending if filters.sort == key else key in ("started", "score")
    return url_with(sort=key, descending=int(descending), page=None)

"""Call lists in the UI (the supervisors' list, an agent's "my calls"): the page the request
asks for, and paging and sort links that keep the current filters."""
from __future__ import annotations

from typing import Any

from flask import request, url_for
from sqlalchemy.orm import Session

from callqa.queries import call_list as queries
from callqa.queries.call_list import PER_PAGE, CallFilters, CallList


def call_list(session: Session, filters: CallFilters) -> CallList:
    """The page of the list in the request's `page` and `per_page` arguments."""
    return queries.call_list(session, filters, _int_arg("page", 1),
                             _int_arg("per_page", PER_PAGE))


def empty_list(filters: CallFilters) -> CallList:
    return CallList.empty(filters)


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


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

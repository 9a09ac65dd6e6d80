"""Call lists (the supervisors' list, an agent's "my calls"): paging and sort links that keep
the current filters, and the per-page extras fetched in one query each."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from callqa.models import Call, CallReview, Dispute, DisputeStatus, Feedback, ItemOverride
from callqa.queries.call_list import CallFilters, Page, call_page

PER_PAGE = 50


def reviewed_column():
    return exists().where(CallReview.call_id == Call.id)


@dataclass
class CallList:
    filters: CallFilters
    page: Page
    reviewed: set[int]
    overridden: set[int]
    open_disputes: set[int]
    feedback: dict[int, list[Feedback]]


def call_list(session: Session, filters: CallFilters) -> CallList:
    page = call_page(session, filters, _int_arg("page", 1), _int_arg("per_page", PER_PAGE),
                     reviewed_column=reviewed_column())
    ids = [call.id for call in page.calls]
    return CallList(filters, page, *page_extras(session, ids))


def empty_list(filters: CallFilters) -> CallList:
    return CallList(filters, Page([], 0, 1, PER_PAGE), set(), set(), set(), {})


Extras = tuple[set[int], set[int], set[int], dict[int, list[Feedback]]]


def page_extras(session: Session, ids: list[int]) -> Extras:
    """For these calls: reviewed, overridden, with an open dispute; their feedback."""
    if not ids:
        return set(), set(), set(), {}
    reviewed = set(session.scalars(select(CallReview.call_id).where(CallReview.call_id.in_(ids))))
    overridden = set(session.scalars(
        select(ItemOverride.call_id).where(ItemOverride.call_id.in_(ids)).distinct()))
    disputed = set(session.scalars(select(Dispute.call_id).where(
        Dispute.call_id.in_(ids), Dispute.status == DisputeStatus.OPEN).distinct()))
    feedback: dict[int, list[Feedback]] = {}
    for row in session.scalars(
            select(Feedback).where(Feedback.call_id.in_(ids)).order_by(Feedback.id)):
        feedback.setdefault(row.call_id, []).append(row)
    return reviewed, overridden, disputed, feedback


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


def url_with(**changes: object) -> str:
    """This page's URL with some arguments changed (None removes one)."""
    args = {k: v for k, v in request.args.items() if v != ""}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = str(value)
    return url_for(request.endpoint, **args)


def sort_url(filters: CallFilters, key: str) -> str:
    """Sort by `key`; again on the current key flips the direction."""
    descending = not filters.descending if filters.sort == key else key in ("started", "score")
    return url_with(sort=key, descending=int(descending), page=None)

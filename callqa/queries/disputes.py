"""The supervisors' dispute queue: the open disputes and the latest resolved ones."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from callqa.models import Call, Dispute, DisputeStatus, ItemResult
from callqa.queries.scope import EVERYTHING, Scope

RESOLVED_SHOWN = 50


@dataclass
class DisputeQueue:
    open: list[Dispute]  # oldest first
    resolved: list[Dispute]  # the latest resolved first
    labels: dict[tuple[int, str], dict[str, str]]  # (call id, item id): the item's name


def dispute_queue(session: Session, scope: Scope = EVERYTHING,
                  resolved_shown: int = RESOLVED_SHOWN) -> DisputeQueue:
    """The disputes of the calls in `scope`."""
    query = (select(Dispute).join(Call, Call.id == Dispute.call_id).where(*scope.conditions())
             .options(joinedload(Dispute.agent_user), joinedload(Dispute.resolved_by)))
    open_ones = list(session.scalars(
        query.where(Dispute.status == DisputeStatus.OPEN).order_by(Dispute.id)))
    resolved = list(session.scalars(query.where(Dispute.status != DisputeStatus.OPEN)
                                    .order_by(Dispute.resolved_at.desc()).limit(resolved_shown)))
    return DisputeQueue(open_ones, resolved, _item_labels(session, [*open_ones, *resolved]))


def _item_labels(session: Session,
                 disputes: list[Dispute]) -> dict[tuple[int, str], dict[str, str]]:
    """The disputed items' names, as their scorecard calls them."""
    call_ids = {d.call_id for d in disputes}
    if not call_ids:
        return {}
    rows = session.execute(select(ItemResult.call_id, ItemResult.item_id, ItemResult.detail)
                           .where(ItemResult.call_id.in_(call_ids)))
    return {(call_id, item_id): detail.get("label") or {} for call_id, item_id, detail in rows}


def find_dispute(session: Session, dispute_id: int) -> Dispute | None:
    return session.get(Dispute, dispute_id)

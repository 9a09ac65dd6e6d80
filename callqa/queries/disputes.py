"""The supervisors' dispute queue: the open disputes and the latest resolved ones."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from callqa.models import Call, Dispute, DisputeStatus, ItemResult, User
from callqa.queries.scope import EVERYTHING, Scope

RESOLVED_SHOWN = 50


@dataclass
class DisputeQueue:
    open: list[Dispute]  # oldest first
    resolved: list[Dispute]  # the latest resolved first
    labels: dict[tuple[int, str], dict[str, str]]  # (call id, item id): the item's name
    items: dict[tuple[int, str], DisputedItem]  # (call id, item id): its verdict and evidence

    def agent_name(self, dispute: Dispute) -> str:
        """The agent's name as the calls know it (the user name when the user has no agent)."""
        agent = dispute.agent_user.agent
        return agent.name if agent is not None and agent.name else dispute.agent_user.username


@dataclass
class DisputedItem:
    verdict: str  # the item's effective verdict now
    evidence: list[dict[str, Any]]  # what the machine matched, as the call page shows it


def dispute_queue(session: Session, scope: Scope = EVERYTHING,
                  resolved_shown: int = RESOLVED_SHOWN) -> DisputeQueue:
    """The disputes of the calls in `scope`."""
    query = (select(Dispute).join(Call, Call.id == Dispute.call_id).where(*scope.conditions())
             .options(joinedload(Dispute.agent_user).joinedload(User.agent),
                      joinedload(Dispute.resolved_by)))
    open_ones = list(session.scalars(
        query.where(Dispute.status == DisputeStatus.OPEN).order_by(Dispute.id)))
    resolved = list(session.scalars(query.where(Dispute.status != DisputeStatus.OPEN)
                                    .order_by(Dispute.resolved_at.desc()).limit(resolved_shown)))
    labels, items = _items(session, [*open_ones, *resolved])
    return DisputeQueue(open_ones, resolved, labels, items)


def _items(session: Session, disputes: list[Dispute]) -> tuple[
        dict[tuple[int, str], dict[str, str]], dict[tuple[int, str], DisputedItem]]:
    """The disputed items' names, as their scorecard calls them, verdicts now and evidence."""
    call_ids = {d.call_id for d in disputes}
    if not call_ids:
        return {}, {}
    rows = session.execute(select(ItemResult.call_id, ItemResult.item_id, ItemResult.detail,
                                  ItemResult.effective_verdict)
                           .where(ItemResult.call_id.in_(call_ids)))
    labels, items = {}, {}
    for call_id, item_id, detail, verdict in rows:
        labels[(call_id, item_id)] = detail.get("label") or {}
        items[(call_id, item_id)] = DisputedItem(verdict, list(detail.get("evidence") or []))
    return labels, items


def find_dispute(session: Session, dispute_id: int) -> Dispute | None:
    return session.get(Dispute, dispute_id)

"""Calibration sessions as the UI shows them: what a reviewer scores (blind: the transcript
and the checklist, no verdict), the comparison per item of every reviewer's verdict, the
machine's and the agreed one, the figures (agreement with the agreed verdicts per item and per
reviewer, Fleiss' kappa over the reviewers, and with the machine as one more grader, shown
apart), and the history of sessions."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from callqa.models import (
    CalibrationAgreed,
    CalibrationCall,
    CalibrationReviewer,
    CalibrationSession,
    CalibrationVerdict,
    Call,
    Role,
    User,
)
from callqa.qa.calibration import Agreement, agreement_with, fleiss_kappa
from callqa.queries.scope import Scope
from callqa.services.calibration import Key, item_ids

__all__ = ["HISTORY_SHOWN", "Comparison", "ComparisonRow", "ItemFigures", "ReviewerFigures",
           "comparison", "find_session", "history", "is_participant", "may_view"]

HISTORY_SHOWN = 50


def find_session(session: Session, session_id: int) -> CalibrationSession | None:
    return session.scalar(
        select(CalibrationSession).where(CalibrationSession.id == session_id)
        .options(selectinload(CalibrationSession.calls).selectinload(CalibrationCall.call)
                 .selectinload(Call.utterances),
                 selectinload(CalibrationSession.reviewers)
                 .selectinload(CalibrationReviewer.user)))


def is_participant(calibration: CalibrationSession, user: User) -> bool:
    return user.id == calibration.lead_id or any(
        r.user_id == user.id for r in calibration.reviewers)


def may_view(calibration: CalibrationSession, user: User, scope: Scope) -> bool:
    """The lead, the reviewers, admins, and supervisors who may see every call in it."""
    if user.role == Role.ADMIN or is_participant(calibration, user):
        return True
    return all(scope.has_agent(entry.call.agent_id) for entry in calibration.calls)


@dataclass
class ComparisonRow:
    call_id: int
    item_id: str
    label: dict[str, str]
    machine: str  # the machine's own verdict
    verdicts: dict[int, str]  # by reviewer (user id), of those who submitted
    agreed: str | None

    @property
    def unanimous(self) -> bool:
        return len(set(self.verdicts.values())) == 1


@dataclass
class ItemFigures:
    item_id: str
    label: dict[str, str]
    agreement: Agreement  # the reviewers' verdicts that match the agreed one
    machine_agreement: Agreement
    kappa: float | None  # over the reviewers, this item on every call


@dataclass
class ReviewerFigures:
    user: User
    agreement: Agreement


@dataclass
class Comparison:
    calibration: CalibrationSession
    reviewers: list[User]  # who submitted, by id
    pending: list[User]  # who has not
    rows: list[ComparisonRow]
    items: list[ItemFigures] = field(default_factory=list)
    per_reviewer: list[ReviewerFigures] = field(default_factory=list)
    kappa: float | None = None  # over the reviewers who submitted
    kappa_with_machine: float | None = None  # the machine counted as one more grader
    agreement: Agreement = Agreement(0, 0)  # every reviewer verdict against the agreed ones
    machine_agreement: Agreement = Agreement(0, 0)

    @property
    def agreed_count(self) -> int:
        return sum(1 for row in self.rows if row.agreed)


def comparison(session: Session, calibration: CalibrationSession) -> Comparison:
    submitted = [r.user for r in calibration.reviewers if r.submitted_at is not None]
    pending = [r.user for r in calibration.reviewers if r.submitted_at is None]
    given: dict[Key, dict[int, str]] = {}
    for row in session.scalars(select(CalibrationVerdict).where(
            CalibrationVerdict.session_id == calibration.id)):
        given.setdefault((row.call_id, row.item_id), {})[row.user_id] = row.verdict
    agreed = {(row.call_id, row.item_id): row.verdict for row in session.scalars(
        select(CalibrationAgreed).where(CalibrationAgreed.session_id == calibration.id))}
    items = {(entry.call_id, item.item_id): item for entry in calibration.calls
             for item in (entry.call.score.items if entry.call.score else ())}
    rows = [ComparisonRow(call_id, item_id, items[call_id, item_id].detail.get("label") or {},
                          items[call_id, item_id].verdict, given.get((call_id, item_id), {}),
                          agreed.get((call_id, item_id)))
            for call_id, item_id in item_ids(calibration)]
    found = Comparison(calibration, submitted, pending, rows)
    _figures(found, agreed)
    return found


def _figures(found: Comparison, agreed: dict[Key, str]) -> None:
    ids = [user.id for user in found.reviewers]
    rated = [row for row in found.rows if all(uid in row.verdicts for uid in ids)]
    found.kappa = fleiss_kappa([[row.verdicts[uid] for uid in ids] for row in rated])
    found.kappa_with_machine = fleiss_kappa(
        [[row.verdicts[uid] for uid in ids] + [row.machine] for row in rated]) if ids else None
    by_key = {(row.call_id, row.item_id): row for row in found.rows}
    machine = {key: row.machine for key, row in by_key.items()}
    found.machine_agreement = agreement_with(machine, agreed)
    for user in found.reviewers:
        mine = {key: row.verdicts[user.id] for key, row in by_key.items()
                if user.id in row.verdicts}
        found.per_reviewer.append(ReviewerFigures(user, agreement_with(mine, agreed)))
    found.agreement = Agreement(sum(r.agreement.matched for r in found.per_reviewer),
                                sum(r.agreement.compared for r in found.per_reviewer))
    order = list(dict.fromkeys(row.item_id for row in found.rows))
    for item_id in order:
        item_rows = [row for row in rated if row.item_id == item_id]
        matched = compared = 0
        for row in item_rows:
            if row.agreed:
                compared += len(ids)
                matched += sum(1 for uid in ids if row.verdicts[uid] == row.agreed)
        label = next(row.label for row in found.rows if row.item_id == item_id)
        item_agreed = {(row.call_id, row.item_id): row.agreed for row in item_rows if row.agreed}
        item_machine = {(row.call_id, row.item_id): row.machine for row in item_rows}
        found.items.append(ItemFigures(
            item_id, label, Agreement(matched, compared),
            agreement_with(item_machine, item_agreed),
            fleiss_kappa([[row.verdicts[uid] for uid in ids] for row in item_rows])))


def history(session: Session, user: User, scope: Scope,
            shown: int = HISTORY_SHOWN) -> list[Comparison]:
    """The sessions the user may see, the newest first, with their figures."""
    sessions = session.scalars(
        select(CalibrationSession).order_by(CalibrationSession.created_at.desc(),
                                            CalibrationSession.id.desc())
        .options(selectinload(CalibrationSession.calls).selectinload(CalibrationCall.call),
                 selectinload(CalibrationSession.reviewers)
                 .selectinload(CalibrationReviewer.user)))
    visible = [found for found in sessions if may_view(found, user, scope)][:shown]
    return [comparison(session, found) for found in visible]

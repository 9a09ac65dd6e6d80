"""How often people agree with the machine: the checklist's accuracy as the QA team sees it in
production, per item and per language, with the count each figure rests on.

Precisely:

- A *machine-decided verdict* is an item result the machine scored `passed` or `failed`
  (its own verdict, `ItemResult.verdict`; `review` and `not_applicable` are not decisions).
- It was *reviewed by a person* when its call has a CallReview (someone marked the call
  reviewed), or the item has an override (ItemOverride, from the call page, a dispute or the
  "To review" queue), or a dispute of the item was resolved (accepted or rejected).
- It was *kept* when the item's effective verdict (after the latest override) is still the
  machine's and no dispute of the item was accepted. So an override to another verdict and an
  accepted dispute are disagreements; a rejected dispute, or a reviewed call whose item nobody
  changed, is agreement.
- The agreement rate is kept / reviewed; None when nothing was reviewed.

The language is the transcript's (the one the call was scored in), else the call's.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from callqa.models import Call, CallReview, Dispute, DisputeStatus, ItemOverride, ItemResult
from callqa.qa.scoring import Verdict
from callqa.queries.scope import EVERYTHING, Scope

DECIDED = (str(Verdict.PASSED), str(Verdict.FAILED))
ALL_LANGUAGES = "all"


@dataclass(frozen=True)
class AgreementFilters:
    date_from: date | None = None  # the call's start, UTC days, inclusive
    date_to: date | None = None
    agent_id: int | None = None
    queue_id: int | None = None
    scope: Scope = field(default=EVERYTHING, kw_only=True)  # the calls the user may see


@dataclass
class AgreementRow:
    item_id: str
    language: str  # a language code, or "all"
    reviewed: int = 0
    kept: int = 0

    @property
    def changed(self) -> int:
        return self.reviewed - self.kept

    @property
    def rate(self) -> float | None:
        return self.kept / self.reviewed if self.reviewed else None

    def to_dict(self) -> dict[str, object]:
        rate = self.rate
        return {"item": self.item_id, "language": self.language, "reviewed": self.reviewed,
                "kept": self.kept, "changed": self.changed,
                "rate": None if rate is None else round(rate, 4)}


@dataclass
class Agreement:
    rows: list[AgreementRow]  # per item and language, by item then language
    by_item: list[AgreementRow]  # per item, every language
    by_language: list[AgreementRow]  # per language, every item (item_id "all")
    total: AgreementRow = field(default_factory=lambda: AgreementRow("all", ALL_LANGUAGES))

    def to_dict(self) -> dict[str, object]:
        return {"rows": [r.to_dict() for r in self.rows],
                "by_item": [r.to_dict() for r in self.by_item],
                "by_language": [r.to_dict() for r in self.by_language],
                "total": self.total.to_dict()}


def agreement(session: Session, filters: AgreementFilters | None = None) -> Agreement:
    filters = filters or AgreementFilters()
    language = func.coalesce(Call.transcript_language, Call.language, "und")
    kept = case((and_(ItemResult.effective_verdict == ItemResult.verdict,
                      ~_dispute(DisputeStatus.ACCEPTED)), 1), else_=0)
    query = (
        select(ItemResult.item_id, language, func.count(ItemResult.id), func.sum(kept))
        .join(Call, Call.id == ItemResult.call_id)
        .where(ItemResult.verdict.in_(DECIDED), _reviewed_by_a_person())
        .group_by(ItemResult.item_id, language)
    )
    query = _filtered(query, filters)
    rows = [AgreementRow(item_id, lang, reviewed, int(kept_count or 0))
            for item_id, lang, reviewed, kept_count in session.execute(query)]
    rows.sort(key=lambda r: (r.item_id, r.language))
    return _with_totals(rows)


def _reviewed_by_a_person():
    call_reviewed = exists().where(CallReview.call_id == ItemResult.call_id)
    overridden = exists().where(ItemOverride.call_id == ItemResult.call_id,
                                ItemOverride.item_id == ItemResult.item_id)
    resolved = _dispute(DisputeStatus.ACCEPTED, DisputeStatus.REJECTED)
    return or_(call_reviewed, overridden, resolved)


def _dispute(*statuses: DisputeStatus):
    return exists().where(Dispute.call_id == ItemResult.call_id,
                          Dispute.item_id == ItemResult.item_id,
                          Dispute.status.in_([str(s) for s in statuses]))


def _filtered(query, filters: AgreementFilters):
    if filters.date_from is not None:
        query = query.where(Call.started_at >= _utc_midnight(filters.date_from))
    if filters.date_to is not None:
        query = query.where(Call.started_at < _utc_midnight(filters.date_to + timedelta(days=1)))
    if filters.agent_id is not None:
        query = query.where(Call.agent_id == filters.agent_id)
    if filters.queue_id is not None:
        query = query.where(Call.queue_id == filters.queue_id)
    query = query.where(*filters.scope.conditions())
    return query


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _with_totals(rows: list[AgreementRow]) -> Agreement:
    items: dict[str, AgreementRow] = defaultdict(lambda: AgreementRow("", ALL_LANGUAGES))
    languages: dict[str, AgreementRow] = defaultdict(lambda: AgreementRow("all", ""))
    total = AgreementRow("all", ALL_LANGUAGES)
    for row in rows:
        for sums in (items[row.item_id], languages[row.language], total):
            sums.reviewed += row.reviewed
            sums.kept += row.kept
    for item_id, row in items.items():
        row.item_id = item_id
    for lang, row in languages.items():
        row.language = lang
    return Agreement(rows, [items[k] for k in sorted(items)],
                     [languages[k] for k in sorted(languages)], total)

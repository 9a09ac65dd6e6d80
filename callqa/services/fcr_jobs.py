"""FCR over the whole database: the nightly recompute that settles pending calls."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callqa.models import Call, FcrResult, utcnow
from callqa.qa.fcr.contacts import FcrStatus
from callqa.services.score_store import rules_for, update_fcr
from callqa.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FcrRecompute:
    customers: int
    calls: int
    by_status: dict[str, int]


def recompute_fcr(
    sessions: sessionmaker[Session], settings: Settings,
    now: Callable[[], datetime] = utcnow, only_pending: bool = True,
) -> FcrRecompute:
    """Recompute the customers of pending calls (or of all calls), one customer per commit."""
    rules = rules_for(settings).fcr
    with sessions() as session:
        query = select(Call.customer_key, Call.id).join(FcrResult)
        if only_pending:
            query = query.where(FcrResult.status == FcrStatus.PENDING)
        rows = session.execute(query).all()
    customers = sorted({key for key, _ in rows if key})
    loose = [call_id for key, call_id in rows if not key]
    for key in customers:
        with sessions.begin() as session:
            update_fcr(session, key, [], rules, now())
    if loose:
        with sessions.begin() as session:
            update_fcr(session, None, loose, rules, now())
    summary = FcrRecompute(len(customers), len(rows), _status_counts(sessions))
    log.info("FCR recomputed for %d customers (%d calls): %s",
             summary.customers, summary.calls, summary.by_status)
    return summary


def _status_counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        rows = session.execute(select(FcrResult.status, func.count()).group_by(FcrResult.status))
        return {status: count for status, count in rows}

"""Erasure (GDPR Art. 17): every call of one customer goes, with its recording, transcript,
scores, reviews and FCR links; calls whose FCR verdict counted an erased call are judged
again; and a record says who erased how many calls when, never whose.

Rows go in one transaction (the database's ON DELETE CASCADE takes the transcripts, scores,
FCR results, reviews and redaction records). The files go after it is committed: stored
recordings no remaining call uses, and the inbox's archived originals of the erased audio
(found by their content hash) with their sidecars. A crash between the two leaves a stray
file of a call that no longer exists, never a call without its recording.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from callqa.models import Call, Erasure, FcrResult, utcnow
from callqa.qa.fcr.phone import normalize_phone
from callqa.qa.metadata import sidecar_for
from callqa.qa.storage import file_sha256
from callqa.services.inbox import FAILED, INGESTED
from callqa.services.score_store import rules_for, update_fcr
from callqa.settings import Settings

__all__ = ["ErasureError", "ErasureResult", "customer_keys", "erase_customer"]

log = logging.getLogger(__name__)


class ErasureError(ValueError):
    """An erasure that cannot be done as asked (nothing is deleted)."""


@dataclass(frozen=True)
class ErasureResult:
    erasure_id: int
    calls: int
    files: int  # stored recordings and archived originals deleted
    refreshed: int  # other calls whose FCR was judged again

    def __str__(self) -> str:
        return (f"erased {self.calls} calls and {self.files} files; FCR judged again for "
                f"{self.refreshed} other calls (erasure record {self.erasure_id})")


def customer_keys(customer: str, country_code: str) -> set[str]:
    """The stored customer keys `customer` (a phone number or a customer id) may be."""
    customer = customer.strip()
    if not customer:
        raise ErasureError("give the customer's phone number or customer id")
    keys = {customer, f"id:{customer.removeprefix('id:')}"}
    phone = normalize_phone(customer, country_code)
    if phone:
        keys.add(phone)
    return keys


def erase_customer(
    sessions: sessionmaker[Session], settings: Settings, customer: str, erased_by: str,
    now: datetime | None = None,
) -> ErasureResult:
    keys = customer_keys(customer, settings.phone_country_code)
    with sessions.begin() as session:
        calls = session.scalars(select(Call).where(or_(
            Call.customer_key.in_(keys), Call.customer_phone == customer.strip()))).all()
        erased = {call.id for call in calls}
        names = {call.storage_name for call in calls if call.storage_name}
        hashes = {call.sha256 for call in calls}
        referring = _calls_referring_to(session, erased)
        for call in calls:
            session.delete(call)
        session.flush()
        refreshed = _judge_again(session, settings, referring, now or utcnow())
        in_use = set(session.scalars(select(Call.storage_name).where(
            Call.storage_name.in_(names)))) if names else set()
        record = Erasure(erased_by=erased_by, erased_at=now or utcnow(), calls=len(erased),
                         files=0, call_ids=sorted(erased), refreshed_calls=refreshed)
        session.add(record)
        session.flush()
        erasure_id = record.id
    files = _delete_files(settings, names - in_use, hashes)
    with sessions.begin() as session:
        stored = session.get(Erasure, erasure_id)
        assert stored is not None  # just committed
        stored.files = files
    result = ErasureResult(erasure_id, len(erased), files, refreshed)
    log.info("erasure by %s: %s", erased_by, result)
    return result


def _calls_referring_to(session: Session, erased: set[int]) -> list[tuple[int, str | None]]:
    """(call id, customer key) of the remaining calls whose FCR counted an erased call."""
    if not erased:
        return []
    rows = session.execute(select(FcrResult.call_id, FcrResult.repeat_of, Call.customer_key)
                           .join(Call, Call.id == FcrResult.call_id)
                           .where(Call.id.not_in(erased))).all()
    return [(call_id, key) for call_id, repeat_of, key in rows
            if erased.intersection(repeat_of or ())]


def _judge_again(
    session: Session, settings: Settings, referring: list[tuple[int, str | None]], now: datetime
) -> int:
    rules = rules_for(settings).fcr
    for key in {key for _, key in referring}:
        ids = [call_id for call_id, k in referring if k == key]
        update_fcr(session, key, ids, rules, now)
    return len(referring)


def _delete_files(settings: Settings, names: set[str], hashes: set[str]) -> int:
    deleted = 0
    for name in names:
        path = settings.recordings_dir / name
        if path.is_file():
            path.unlink()
            deleted += 1
    if settings.inbox_dir is not None:
        deleted += _delete_archived(settings.inbox_dir, hashes)
    return deleted


def _delete_archived(inbox: Path, hashes: set[str]) -> int:
    deleted = 0
    for folder in (inbox / INGESTED, inbox / FAILED):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix == ".json" or path.name.endswith(".error.txt"):
                continue
            if file_sha256(path) in hashes:
                extras = [sidecar_for(path), path.with_name(path.name + ".error.txt")]
                for extra in [path, *(e for e in extras if e is not None and e.is_file())]:
                    extra.unlink()
                    deleted += 1
    return deleted

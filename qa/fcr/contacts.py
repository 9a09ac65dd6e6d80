"""FCR verdicts from a customer's contacts: repeat contacts about the same matter within the
window, and what the transcript says happened in the call itself."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class FcrStatus(StrEnum):
    FCR = "fcr"
    NOT_FCR = "not_fcr"
    PENDING = "pending"  # the window is still open and nothing has failed the call yet


class ReasonKind(StrEnum):
    REPEAT_CONTACT = "repeat_contact"
    TRANSFER = "transfer"
    CALLBACK = "callback"
    UNABLE_TO_HELP = "unable_to_help"


@dataclass(frozen=True)
class FcrPolicy:
    window_days: float = 7.0
    any_topic: bool = False  # count any repeat contact, whatever the matter

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days)


@dataclass(frozen=True)
class FcrReason:
    kind: ReasonKind
    detail: str
    repeat_call_id: int | None = None
    evidence: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": str(self.kind), "detail": self.detail}
        if self.repeat_call_id is not None:
            data["repeat_call_id"] = self.repeat_call_id
        if self.evidence is not None:
            data["evidence"] = self.evidence
        return data


@dataclass(frozen=True)
class Contact:
    """One call as FCR sees it."""

    call_id: int
    started_at: datetime
    customer_key: str | None  # E.164 phone or a customer id; None: cannot link contacts
    matters: frozenset[str] = frozenset()  # queue and detected topics
    in_call_reasons: tuple[FcrReason, ...] = ()  # transfer, callback, unable to help


@dataclass(frozen=True)
class FcrVerdict:
    call_id: int
    status: FcrStatus
    window_ends_at: datetime
    reasons: tuple[FcrReason, ...] = ()
    repeat_of: tuple[int, ...] = field(default=())  # earlier contacts this call repeats


def same_matter(first: Contact, later: Contact, policy: FcrPolicy) -> bool:
    return policy.any_topic or bool(first.matters & later.matters)


def evaluate_contacts(
    contacts: Iterable[Contact], policy: FcrPolicy, now: datetime
) -> dict[int, FcrVerdict]:
    """A verdict for every contact; contacts of one customer are judged together."""
    verdicts: dict[int, FcrVerdict] = {}
    for history in _by_customer(contacts):
        verdicts.update(_judge_history(history, policy, now))
    return verdicts


def _by_customer(contacts: Iterable[Contact]) -> list[list[Contact]]:
    groups: dict[str, list[Contact]] = defaultdict(list)
    alone: list[list[Contact]] = []
    for contact in contacts:
        if contact.customer_key:
            groups[contact.customer_key].append(contact)
        else:
            alone.append([contact])
    return [sorted(g, key=lambda c: (c.started_at, c.call_id)) for g in groups.values()] + alone


def _judge_history(
    history: Sequence[Contact], policy: FcrPolicy, now: datetime
) -> dict[int, FcrVerdict]:
    repeats_of: dict[int, list[int]] = defaultdict(list)
    verdicts = {}
    for index, contact in enumerate(history):
        window_end = contact.started_at + policy.window
        repeat = _first_repeat(contact, history[index + 1:], window_end, policy)
        reasons = list(contact.in_call_reasons)
        if repeat is not None:
            repeats_of[repeat.call_id].append(contact.call_id)
            reasons.append(FcrReason(
                ReasonKind.REPEAT_CONTACT,
                f"repeat call {repeat.call_id} on {repeat.started_at.date().isoformat()}",
                repeat_call_id=repeat.call_id,
            ))
        status = (FcrStatus.NOT_FCR if reasons
                  else FcrStatus.PENDING if now < window_end else FcrStatus.FCR)
        verdicts[contact.call_id] = FcrVerdict(contact.call_id, status, window_end, tuple(reasons))
    return {
        call_id: FcrVerdict(v.call_id, v.status, v.window_ends_at, v.reasons,
                            tuple(repeats_of.get(call_id, ())))
        for call_id, v in verdicts.items()
    }


def _first_repeat(
    contact: Contact, later: Sequence[Contact], window_end: datetime, policy: FcrPolicy
) -> Contact | None:
    for candidate in later:
        if candidate.started_at > window_end:
            return None
        if candidate.started_at > contact.started_at and same_matter(contact, candidate, policy):
            return candidate
    return None

"""Throttling of password guessing. Never commits.

Refused sign-ins are rows in the database, so every web worker (and every machine behind one
proxy) counts the same ones. Two sliding windows apply: one user name from one address, which
stops guessing one account's password without letting anybody elsewhere lock that account out,
and one address over every user name, which stops trying one password on many accounts. While
either is full the sign-in is refused without checking the password, and refused attempts are
not counted, so hammering on does not prolong the wait.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from callqa.models import LoginFailure, utcnow
from callqa.settings import Settings


@dataclass(frozen=True)
class ThrottlePolicy:
    window_s: float = 15 * 60
    per_account: int = 5  # refused sign-ins of one user name from one address in the window
    per_address: int = 50  # refused sign-ins from one address, any user names, in the window

    def __post_init__(self) -> None:
        if self.window_s <= 0 or self.per_account < 1 or self.per_address < 1:
            raise ValueError("login throttling needs a positive window and limits of at least 1")

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottlePolicy:
        return cls(window_s=settings.login_window_s, per_account=settings.login_max_failures,
                   per_address=settings.login_max_failures_per_address)


def wait_seconds(
    session: Session, username: str, address: str, policy: ThrottlePolicy,
    now: datetime | None = None,
) -> int:
    """Whole seconds until this user name may try to sign in from this address; 0: now."""
    now = now or utcnow()
    since = now - timedelta(seconds=policy.window_s)
    address = _address(address)
    account = _newest_failures(session, since, address, policy.per_account, _key(username))
    anywhere = _newest_failures(session, since, address, policy.per_address)
    return max(_wait(account, policy.per_account, policy, now),
               _wait(anywhere, policy.per_address, policy, now))


def record_failure(
    session: Session, username: str, address: str, policy: ThrottlePolicy,
    now: datetime | None = None,
) -> None:
    """Count a refused sign-in, and forget those that no window looks at any more."""
    now = now or utcnow()
    session.execute(
        delete(LoginFailure).where(LoginFailure.at < now - timedelta(seconds=policy.window_s))
    )
    session.add(LoginFailure(username=_key(username), address=_address(address), at=now))


def clear_failures(session: Session, username: str, address: str) -> None:
    """A successful sign-in: this user name starts afresh from this address."""
    session.execute(delete(LoginFailure).where(
        LoginFailure.username == _key(username), LoginFailure.address == _address(address)))


def _newest_failures(
    session: Session, since: datetime, address: str, limit: int, username: str | None = None
) -> list[datetime]:
    query = select(LoginFailure.at).where(LoginFailure.address == address, LoginFailure.at > since)
    if username is not None:
        query = query.where(LoginFailure.username == username)
    return list(session.scalars(query.order_by(LoginFailure.at.desc()).limit(limit)))


def _wait(newest_first: list[datetime], limit: int, policy: ThrottlePolicy, now: datetime) -> int:
    """The window is full while `limit` failures lie in it: the wait ends when the oldest of
    the newest `limit` leaves it."""
    if len(newest_first) < limit:
        return 0
    frees_at = newest_first[limit - 1] + timedelta(seconds=policy.window_s)
    return max(1, math.ceil((frees_at - now).total_seconds()))


def _key(username: str) -> str:
    return (username or "").strip().lower()[:64]


def _address(address: str) -> str:
    return address[:64]

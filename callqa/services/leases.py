"""Leases: a named duty that one process holds at a time, across machines, on SQLite or PostgreSQL.

Taking or renewing a lease is one conditional UPDATE (the row is ours, or its holder let it
expire); the very first time it is an INSERT, where a unique violation means another process
was first. A holder that stops renewing loses the lease once it expires. Holders compare
expiry times from their own clocks, so the time to live must be far above any clock skew.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callqa.models import UTCDateTime, utcnow
from callqa.models.db import affected_rows
from callqa.models.lease import Lease

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeaseInfo:
    name: str
    holder: str
    expires_at: datetime


def new_holder_id() -> str:
    """Unique per process and start: host, pid and a random tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def acquire(
    session: Session, name: str, holder: str, ttl_s: float, now: datetime | None = None
) -> bool:
    """Take or renew the lease until now + ttl_s; False while another holder's is fresh.

    The caller commits, at once: a row lock is held until then on PostgreSQL.
    """
    now = now or utcnow()
    expires = now + timedelta(seconds=ttl_s)
    taken = session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
        .values(
            holder=holder,
            expires_at=expires,
            acquired_at=case(
                (Lease.holder == holder, Lease.acquired_at), else_=literal(now, UTCDateTime())
            ),
        )
        .execution_options(synchronize_session=False)
    )
    if affected_rows(taken) == 1:
        return True
    if session.scalar(select(Lease.name).where(Lease.name == name)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(Lease(name=name, holder=holder, acquired_at=now, expires_at=expires))
        return True
    except IntegrityError:  # another process inserted it first
        return False


def release(session: Session, name: str, holder: str) -> bool:
    """Let the lease expire now if `holder` has it, so a standby can take over at once."""
    result = session.execute(
        update(Lease).where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=utcnow()).execution_options(synchronize_session=False)
    )
    return affected_rows(result) == 1


def current(session: Session, name: str) -> LeaseInfo | None:
    row = session.get(Lease, name, populate_existing=True)
    return LeaseInfo(row.name, row.holder, row.expires_at) if row else None


class LeaseKeeper:
    """One process's hold on one lease: takes and renews it, logs when it is gained or lost."""

    def __init__(
        self, sessions: sessionmaker[Session], name: str, ttl_s: float, holder: str | None = None
    ) -> None:
        self.sessions = sessions
        self.name = name
        self.ttl_s = ttl_s
        self.holder = holder or new_holder_id()
        self.held = False
        self._other: str | None = None  # the holder we last stood by for, to log changes once
        self._lock = threading.Lock()

    def hold(self) -> bool:
        """Take or renew the lease; True while this process holds it."""
        with self._lock:
            with self.sessions.begin() as session:
                held = acquire(session, self.name, self.holder, self.ttl_s)
                other = None if held else current(session, self.name)
            self._note(held, other)
            self.held = held
            return held

    def release(self) -> None:
        with self._lock:
            if not self.held:
                return
            with self.sessions.begin() as session:
                release(session, self.name, self.holder)
            self.held = False
            log.info("released lease %r (%s)", self.name, self.holder)

    def _note(self, held: bool, other: LeaseInfo | None) -> None:
        if held and not self.held:
            log.info("acquired lease %r as %s", self.name, self.holder)
            self._other = None
        elif not held and self.held:
            log.warning("lost lease %r to %s", self.name, other.holder if other else "?")
        if not held and other is not None and other.holder != self._other:
            log.info("standby: lease %r is held by %s until %s",
                     self.name, other.holder, other.expires_at.isoformat(timespec="seconds"))
            self._other = other.holder

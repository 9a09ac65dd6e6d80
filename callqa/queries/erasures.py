"""The record of past erasures, newest first (who, when, how many; never whose)."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.models import Erasure


def recent_erasures(session: Session, limit: int = 50) -> Sequence[Erasure]:
    return session.scalars(select(Erasure).order_by(Erasure.id.desc()).limit(limit)).all()

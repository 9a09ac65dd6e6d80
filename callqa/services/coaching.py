"""Coaching: a supervisor writes a note for the agent of a call, about some of its checklist
items and moments; the agent acknowledges it. Works in the caller's session, never commits."""
from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy.orm import Session

from callqa.models import Call, CoachingNote, CoachingStatus, User, utcnow
from callqa.qa.messages import N_

__all__ = ["CoachingError", "acknowledge", "create_note", "parse_moments"]

MAX_TEXT = 5000
MAX_MOMENTS = 20
_MOMENT = re.compile(r"^(?:(\d+):)?(\d+(?:\.\d+)?)$")  # 83, 83.5 or 1:23


class CoachingError(ValueError):
    """A note that cannot be saved; the message is shown to the user (and translated)."""


def parse_moments(text: str) -> list[float]:
    """Seconds into the call from "1:23, 2:05" (or plain seconds), in order, once each."""
    moments: set[float] = set()
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        match = _MOMENT.match(part)
        if match is None:
            raise CoachingError(N_("Give moments as m:ss or seconds, separated by commas."))
        minutes, seconds = match.groups()
        if minutes is not None and float(seconds) >= 60:
            raise CoachingError(N_("Give moments as m:ss or seconds, separated by commas."))
        moments.add(int(minutes or 0) * 60 + float(seconds))
    if len(moments) > MAX_MOMENTS:
        raise CoachingError(N_("At most 20 moments."))
    return sorted(moments)


def create_note(session: Session, call: Call, author: User, text: str,
                item_ids: Iterable[str], moments: str = "") -> CoachingNote:
    if call.agent_id is None:
        raise CoachingError(N_("The call has no agent to coach."))
    text = (text or "").strip()
    if not text:
        raise CoachingError(N_("Write the coaching first."))
    if len(text) > MAX_TEXT:
        raise CoachingError(N_("The text is too long."))
    known = [item.item_id for item in call.score.items] if call.score else []
    chosen = list(dict.fromkeys(item_ids))
    if any(item_id not in known for item_id in chosen):
        raise CoachingError(N_("Choose items of this call's checklist."))
    seconds = parse_moments(moments)
    if call.duration_s is not None and any(s > call.duration_s for s in seconds):
        raise CoachingError(N_("A moment is past the end of the call."))
    note = CoachingNote(agent_id=call.agent_id, call_id=call.id, author_id=author.id, text=text,
                        item_ids=[i for i in known if i in chosen], moments=seconds,
                        created_at=utcnow())
    session.add(note)
    session.flush()
    return note


def acknowledge(note: CoachingNote) -> None:
    if note.status == CoachingStatus.OPEN:
        note.status, note.acknowledged_at = CoachingStatus.ACKNOWLEDGED, utcnow()

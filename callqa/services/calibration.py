"""Calibration sessions: a lead picks calls and reviewers; each reviewer scores every item of
every call blind (callqa.queries.scope hides the calls' verdicts from them until they submit);
then the lead records the agreed verdicts and closes the session. Reviewers' verdicts are kept
apart from the calls' own. Works in the caller's session, never commits."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.models import (
    CalibrationAgreed,
    CalibrationCall,
    CalibrationReviewer,
    CalibrationSession,
    CalibrationStatus,
    CalibrationVerdict,
    Call,
    Role,
    User,
    utcnow,
)
from callqa.qa.messages import N_
from callqa.qa.scoring import Verdict

__all__ = ["CALIBRATION_VERDICTS", "CalibrationError", "close", "create_session", "item_ids",
           "may_lead", "record_agreed", "reviewer_row", "submit"]

# What a person can decide; `review` is the machine's way of saying it could not.
CALIBRATION_VERDICTS = (str(Verdict.PASSED), str(Verdict.FAILED), str(Verdict.NOT_APPLICABLE))
MAX_CALLS = 50

Key = tuple[int, str]  # (call id, item id)


class CalibrationError(ValueError):
    """A session or verdicts that cannot be recorded; the message is shown (translated)."""


def create_session(session: Session, name: str, lead: User, calls: Iterable[Call],
                   reviewers: Iterable[User]) -> CalibrationSession:
    name = name.strip()
    if not name or len(name) > 200:
        raise CalibrationError(N_("Name the session (up to 200 characters)."))
    calls = list({call.id: call for call in calls}.values())
    if not calls or len(calls) > MAX_CALLS:
        raise CalibrationError(N_("Pick 1 to 50 calls."))
    if any(call.score is None or not call.score.items for call in calls):
        raise CalibrationError(N_("Pick scored calls only."))
    reviewers = list({user.id: user for user in reviewers}.values())
    if len(reviewers) < 2:
        raise CalibrationError(N_("Pick at least two reviewers."))
    if any(not user.active or user.role not in (Role.SUPERVISOR, Role.ADMIN)
           for user in reviewers):
        raise CalibrationError(N_("Reviewers are active supervisors or admins."))
    found = CalibrationSession(
        name=name, lead_id=lead.id, created_at=utcnow(),
        calls=[CalibrationCall(call_id=call.id) for call in sorted(calls, key=lambda c: c.id)],
        reviewers=[CalibrationReviewer(user_id=user.id)
                   for user in sorted(reviewers, key=lambda u: u.id)])
    session.add(found)
    session.flush()
    return found


def item_ids(calibration: CalibrationSession) -> list[Key]:
    """Every (call, item) to score, in call order and the scorecard's order."""
    return [(entry.call_id, item.item_id) for entry in calibration.calls
            for item in (entry.call.score.items if entry.call.score else ())]


def reviewer_row(calibration: CalibrationSession, user: User) -> CalibrationReviewer | None:
    return next((r for r in calibration.reviewers if r.user_id == user.id), None)


def submit(session: Session, calibration: CalibrationSession, user: User,
           verdicts: Mapping[Key, str]) -> None:
    """The reviewer's verdict on every item of every call, at once; then they see the others'."""
    reviewer = reviewer_row(calibration, user)
    if reviewer is None:
        raise CalibrationError(N_("You are not a reviewer of this session."))
    _check_open(calibration)
    if reviewer.submitted_at is not None:
        raise CalibrationError(N_("You have submitted your verdicts already."))
    keys = item_ids(calibration)
    if any(verdicts.get(key) not in CALIBRATION_VERDICTS for key in keys):
        raise CalibrationError(N_("Give a verdict on every item of every call."))
    session.add_all(CalibrationVerdict(session_id=calibration.id, call_id=call_id,
                                       item_id=item_id, user_id=user.id,
                                       verdict=verdicts[(call_id, item_id)])
                    for call_id, item_id in keys)
    reviewer.submitted_at = utcnow()
    session.flush()


def may_lead(calibration: CalibrationSession, user: User) -> bool:
    return user.id == calibration.lead_id or user.role == Role.ADMIN


def record_agreed(session: Session, calibration: CalibrationSession, user: User,
                  agreed: Mapping[Key, str]) -> int:
    """The agreed verdicts given (others stay as they are); how many were recorded."""
    if not may_lead(calibration, user):
        raise CalibrationError(N_("Only the session's lead records the agreed verdicts."))
    _check_open(calibration)
    keys = set(item_ids(calibration))
    chosen = {key: verdict for key, verdict in agreed.items() if verdict}
    if any(key not in keys or verdict not in CALIBRATION_VERDICTS
           for key, verdict in chosen.items()):
        raise CalibrationError(N_("Choose a verdict of the session's items."))
    existing = {(row.call_id, row.item_id): row for row in session.scalars(
        select(CalibrationAgreed).where(CalibrationAgreed.session_id == calibration.id))}
    for (call_id, item_id), verdict in chosen.items():
        row = existing.get((call_id, item_id))
        if row is None:
            session.add(CalibrationAgreed(session_id=calibration.id, call_id=call_id,
                                          item_id=item_id, verdict=verdict,
                                          decided_by_id=user.id, decided_at=utcnow()))
        else:
            row.verdict, row.decided_by_id, row.decided_at = verdict, user.id, utcnow()
    session.flush()
    return len(chosen)


def close(calibration: CalibrationSession, user: User) -> None:
    """No more verdicts; a reviewer who never submitted no longer scores blind."""
    if not may_lead(calibration, user):
        raise CalibrationError(N_("Only the session's lead closes it."))
    _check_open(calibration)
    calibration.status, calibration.closed_at = CalibrationStatus.CLOSED, utcnow()


def _check_open(calibration: CalibrationSession) -> None:
    if calibration.status != CalibrationStatus.OPEN:
        raise CalibrationError(N_("The session is closed."))

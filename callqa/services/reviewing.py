"""People's decisions on scored calls: verdict overrides, disputes, reviews and feedback.

The machine's ItemResult rows stay as computed. An ItemOverride sets an item's effective verdict
(the latest one per call and item wins), and the call's CallScore holds the score over the
effective verdicts, so lists, filters and reports see what the people decided. Re-scoring
(callqa.scoring.score_call) calls `apply_overrides`, so overrides outlive a new scorecard run.
Every function works in the caller's session and never commits.
"""
from __future__ import annotations

import re
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.models import (
    Call,
    CallComment,
    CallReview,
    CallScore,
    Dispute,
    DisputeStatus,
    Feedback,
    ItemOverride,
    ItemResult,
    User,
    utcnow,
)
from callqa.qa.messages import N_
from callqa.qa.scoring import ItemResult as ScoredItem
from callqa.qa.scoring import Verdict, parse_scorecard
from callqa.qa.scoring.rules import NOTE_FUZZY_ONLY, NOTE_NEAR_MISS
from callqa.qa.scoring.score import Score, compute_score
from callqa.services import assignments

VERDICTS = tuple(str(v) for v in Verdict)
MAX_TEXT = 5000


class ReviewError(ValueError):
    """A decision that cannot be recorded; the message is shown to the user (and translated)."""


def latest_overrides(session: Session, call_id: int) -> dict[str, ItemOverride]:
    """The override in force for each overridden item of the call."""
    rows = session.scalars(
        select(ItemOverride).where(ItemOverride.call_id == call_id).order_by(ItemOverride.id))
    return {row.item_id: row for row in rows}


def override_history(session: Session, call_id: int) -> list[ItemOverride]:
    return list(session.scalars(
        select(ItemOverride).where(ItemOverride.call_id == call_id).order_by(ItemOverride.id)))


def effective_verdicts(session: Session, call: Call) -> dict[str, str]:
    if call.score is None:
        return {}
    overrides = latest_overrides(session, call.id)
    return {item.item_id: _effective(item, overrides) for item in call.score.items}


def _effective(item: ItemResult, overrides: dict[str, ItemOverride]) -> str:
    override = overrides.get(item.item_id)
    return override.new_verdict if override else item.verdict


def apply_overrides(session: Session, call: Call) -> None:
    """Recompute the call's stored score over its effective verdicts (no overrides: as is)."""
    if call.score is None:
        return
    overrides = latest_overrides(session, call.id)
    if not overrides:
        return
    verdicts = {item.item_id: _effective(item, overrides) for item in call.score.items}
    for item in call.score.items:
        item.effective_verdict = verdicts[item.item_id]
    score = effective_score(call, verdicts)
    stored = call.score
    stored.score, stored.capped = score.value, score.capped
    stored.passed_weight, stored.applicable_weight = score.passed_weight, score.applicable_weight
    stored.flagged = bool(score.critical_failed)
    stored.needs_review = Verdict.REVIEW in verdicts.values()


def effective_score(call: Call, verdicts: dict[str, str]) -> Score:
    """The score rule of qa.scoring over these verdicts (items not named keep their own)."""
    if call.score is None:
        raise LookupError(f"call {call.id} is not scored")
    items = [_scored_item(item, verdicts.get(item.item_id, item.verdict))
             for item in call.score.items]
    return compute_score(items, critical_cap(call.score.scorecard.source))


def machine_score(call: Call) -> Score:
    """The score as the machine computed it, before any override."""
    return effective_score(call, {})


def _scored_item(item: ItemResult, verdict: str) -> ScoredItem:
    return ScoredItem(item_id=item.item_id, label={}, verdict=Verdict(verdict), explanation={},
                      looked_in=None, weight=item.weight, critical=item.critical)


@lru_cache(maxsize=32)
def critical_cap(scorecard_source: str) -> float:
    """The cap of the exact scorecard version a result was computed with."""
    return parse_scorecard(scorecard_source).critical_cap


@lru_cache(maxsize=32)
def _item_kinds(scorecard_source: str) -> dict[str, str]:
    return {item.id: item.kind for item in parse_scorecard(scorecard_source).items}


def override_item(
    session: Session, call: Call, item_id: str, verdict: str, comment: str, user: User,
    dispute: Dispute | None = None,
) -> ItemOverride:
    """Set an item's effective verdict, keep who/when/old/new/why, and recompute the score."""
    item = _item(call, item_id)
    comment = _required_text(comment, N_("A comment is required."))
    if verdict not in VERDICTS:
        raise ReviewError(N_("Choose a verdict."))
    _lock_score(session, call)
    return _record_override(session, call, item, verdict, comment, user, dispute)


def _record_override(
    session: Session, call: Call, item: ItemResult, verdict: str, comment: str, user: User,
    dispute: Dispute | None = None, by_listening: bool = False,
) -> ItemOverride:
    """The audit row and the recomputed score; the caller holds the call's score lock."""
    old = _effective(item, latest_overrides(session, call.id))
    if old == verdict:
        raise ReviewError(N_("The item already has this verdict."))
    override = ItemOverride(
        call_id=call.id, item_id=item.item_id, old_verdict=old, new_verdict=verdict,
        comment=comment, user_id=user.id, source="dispute" if dispute else "override",
        dispute_id=dispute.id if dispute else None, decided_by_listening=by_listening,
        created_at=utcnow())
    session.add(override)
    session.flush()
    apply_overrides(session, call)
    return override


LISTENING_VERDICTS = (str(Verdict.PASSED), str(Verdict.FAILED))
# Evidence that did not count but is what the recognizer nearly heard: a candidate
CANDIDATE_NOTES = (NOTE_NEAR_MISS, NOTE_FUZZY_ONLY)


def suggested_verdict(call: Call, item: ItemResult) -> str | None:
    """What the machine's evidence points to for an item it left in review. Its candidate
    words (a phrase said by a speaker it could not tell, heard unsurely, or nearly heard)
    suggest the phrase was said: a required item passed, a forbidden one failed; no candidate
    suggests the opposite. Evidence shown only for context (said by the other party, outside
    the window, inside an excluded phrase) is no candidate. None when the item could not look
    at all (no window, e.g. no phrases for the call's language): the machine suggests nothing."""
    if item.detail.get("looked_in") is None or call.score is None:
        return None
    kind = _item_kinds(call.score.scorecard.source).get(item.item_id, "required")
    heard = any(_is_candidate(evidence) for evidence in item.detail.get("evidence") or ())
    if kind == "forbidden":
        return str(Verdict.FAILED if heard else Verdict.PASSED)
    return str(Verdict.PASSED if heard else Verdict.FAILED)


def _is_candidate(evidence: dict) -> bool:
    return evidence.get("counted", True) or evidence.get("note") in CANDIDATE_NOTES


def decide_by_listening(
    session: Session, call: Call, item_id: str, verdict: str, comment: str, user: User,
) -> ItemOverride:
    """Settle an item in review after listening to its window: pass or fail, recorded as an
    override marked `decided_by_listening`. Confirming the machine's suggestion needs no
    comment; deciding otherwise does."""
    item = _item(call, item_id)
    if verdict not in LISTENING_VERDICTS:
        raise ReviewError(N_("Choose pass or fail."))
    comment = (comment or "").strip()
    if len(comment) > MAX_TEXT:
        raise ReviewError("The text is too long.")
    _lock_score(session, call)  # before the check: two reviewers cannot both settle it
    if _effective(item, latest_overrides(session, call.id)) != Verdict.REVIEW:
        raise ReviewError(N_("This item is already decided."))
    if not comment and verdict != suggested_verdict(call, item):
        raise ReviewError(N_("Deciding against the machine's suggestion needs a comment."))
    return _record_override(session, call, item, verdict, comment, user, by_listening=True)


def _lock_score(session: Session, call: Call) -> None:
    """Two people changing the same call at once take turns (PostgreSQL; SQLite has one
    writer anyway), so each change's old verdict is the one it replaced."""
    session.execute(select(CallScore.id).where(CallScore.call_id == call.id).with_for_update())


def _item(call: Call, item_id: str) -> ItemResult:
    for item in call.score.items if call.score else ():
        if item.item_id == item_id:
            return item
    raise LookupError(f"call {call.id} has no checklist item {item_id!r}")


def _required_text(text: str | None, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ReviewError(message)
    if len(text) > MAX_TEXT:
        raise ReviewError(N_("The text is too long."))
    return text


def mark_reviewed(session: Session, call: Call, user: User, reviewed: bool = True) -> None:
    """Also the call's review assignments: done when it is reviewed, open again if not."""
    review = session.get(CallReview, call.id)
    if reviewed and review is None:
        session.add(CallReview(call_id=call.id, reviewed_by_id=user.id, reviewed_at=utcnow()))
    elif not reviewed and review is not None:
        session.delete(review)
    if reviewed:
        assignments.mark_done(session, call)
    else:
        assignments.reopen(session, call)
    session.flush()


def mark_test_call(call: Call, test_call: bool) -> None:
    """A mystery-shopper or manager call: scored as any other, kept out of agents' statistics."""
    call.test_call = test_call


def add_feedback(session: Session, call: Call, author: User, text: str) -> Feedback:
    feedback = Feedback(call_id=call.id, author_id=author.id,
                        text=_required_text(text, N_("Write the feedback first.")),
                        created_at=utcnow())
    session.add(feedback)
    session.flush()
    return feedback


def parse_moment(text: str | None, duration: float | None) -> float:
    """A moment of the call typed as m:ss (or seconds, with a decimal point or comma)."""
    raw = (text or "").strip().replace(",", ".")
    if raw.startswith("-"):
        raise ReviewError(N_("The moment is not in the call."))
    found = _MOMENT.fullmatch(raw)
    if found is None:
        raise ReviewError(N_("Give the moment as m:ss."))
    value = int(found["minutes"] or 0) * 60 + float(found["seconds"])
    if duration is not None and value > duration + 1:
        raise ReviewError(N_("The moment is not in the call."))
    return round(value, 1)


_MOMENT = re.compile(r"(?:(?P<minutes>\d{1,4}):)?(?P<seconds>\d+(?:\.\d+)?)")


def add_comment(session: Session, call: Call, author: User, at: str, text: str) -> CallComment:
    """A comment pinned to a moment of the call; its agent sees it with the call."""
    comment = CallComment(call_id=call.id, author_id=author.id,
                          at_s=parse_moment(at, call.duration_s),
                          text=_required_text(text, N_("Write the comment first.")),
                          created_at=utcnow())
    session.add(comment)
    session.flush()
    return comment


def acknowledge_feedback(feedback: Feedback) -> None:
    if feedback.acknowledged_at is None:
        feedback.acknowledged_at = utcnow()


def open_dispute(
    session: Session, call: Call, item_id: str, agent_user: User, comment: str,
    requested_verdict: str,
) -> Dispute:
    item = _item(call, item_id)
    comment = _required_text(comment, N_("A comment is required."))
    if requested_verdict not in VERDICTS:
        raise ReviewError(N_("Choose a verdict."))
    current = _effective(item, latest_overrides(session, call.id))
    if current != Verdict.FAILED:
        raise ReviewError(N_("Only a failed item can be disputed."))
    if requested_verdict == current:
        raise ReviewError(N_("The item already has this verdict."))
    if open_dispute_for(session, call.id, item_id) is not None:
        raise ReviewError(N_("This item is already disputed."))
    if was_disputed(session, call.id, item_id):
        raise ReviewError(N_("This item was disputed already; the decision stands."))
    dispute = Dispute(call_id=call.id, item_id=item_id, agent_user_id=agent_user.id,
                      requested_verdict=requested_verdict, comment=comment,
                      status=DisputeStatus.OPEN, created_at=utcnow())
    session.add(dispute)
    session.flush()
    return dispute


def open_dispute_for(session: Session, call_id: int, item_id: str) -> Dispute | None:
    return session.scalar(select(Dispute).where(
        Dispute.call_id == call_id, Dispute.item_id == item_id,
        Dispute.status == DisputeStatus.OPEN))


def was_disputed(session: Session, call_id: int, item_id: str) -> bool:
    """Whether the item has had a dispute: one per item, a rejection is final."""
    return session.scalar(select(Dispute.id).where(
        Dispute.call_id == call_id, Dispute.item_id == item_id).limit(1)) is not None


def can_dispute(verdict: str, disputes: list[Dispute]) -> bool:
    """The rule `open_dispute` enforces, for showing the form: a failed item never disputed."""
    return verdict == Verdict.FAILED and not disputes


def accept_dispute(
    session: Session, dispute: Dispute, user: User, reply: str = "", verdict: str | None = None,
) -> ItemOverride | None:
    """The agent was right: the item takes the requested (or the given) verdict; None when it
    already has it."""
    _check_open(dispute)
    call = session.get(Call, dispute.call_id)
    assert call is not None  # a dispute's call_id is a foreign key
    verdict = verdict or dispute.requested_verdict
    reply = (reply or "").strip()
    override = None
    if verdict != effective_verdicts(session, call).get(dispute.item_id):
        comment = dispute.comment + (f"\n\n{reply}" if reply else "")
        override = override_item(session, call, dispute.item_id, verdict, comment, user, dispute)
    _resolve(dispute, DisputeStatus.ACCEPTED, user, reply or None)
    session.flush()
    return override


def reject_dispute(session: Session, dispute: Dispute, user: User, reply: str) -> None:
    _check_open(dispute)
    _resolve(dispute, DisputeStatus.REJECTED, user,
             _required_text(reply, N_("A reply is required when rejecting.")))
    session.flush()


def _check_open(dispute: Dispute) -> None:
    if dispute.status != DisputeStatus.OPEN:
        raise ReviewError(N_("This dispute is already resolved."))


def _resolve(dispute: Dispute, status: DisputeStatus, user: User, reply: str | None) -> None:
    dispute.status = status
    dispute.reply = reply
    dispute.resolved_by_id = user.id
    dispute.resolved_at = utcnow()

"""Supervisors' decisions: override an item, mark a call reviewed, feedback, the dispute queue."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from callqa.models import Dispute
from callqa.queries.disputes import dispute_queue, find_dispute
from callqa.services import reviewing as review
from callqa.services.reviewing import ReviewError
from callqa.web import db
from callqa.web.access import (
    SUPERVISORS,
    login_required,
    roles_required,
    signed_in_user,
    user_scope,
    visible_call,
)
from callqa.web.i18n import gettext as _

bp = Blueprint("review", __name__)


def _to_call(call_id: int, anchor: str = ""):
    return redirect(url_for("calls.show", call_id=call_id) + anchor, code=303)


@bp.post("/calls/<int:call_id>/items/<item_id>/override")
@login_required
def override(call_id: int, item_id: str):
    call = visible_call(call_id, SUPERVISORS)
    try:
        review.override_item(db(), call, item_id, request.form.get("verdict", ""),
                             request.form.get("comment", ""), signed_in_user())
    except LookupError:
        abort(404)
    except ReviewError as exc:
        flash(_(str(exc)), "error")
        return _to_call(call.id, f"#item-{item_id}")
    db().commit()
    flash(_("Verdict changed; the score is recomputed."), "ok")
    return _to_call(call.id, f"#item-{item_id}")


@bp.post("/calls/<int:call_id>/reviewed")
@login_required
def reviewed(call_id: int):
    call = visible_call(call_id, SUPERVISORS)
    done = request.form.get("reviewed", "1") == "1"
    review.mark_reviewed(db(), call, signed_in_user(), done)
    db().commit()
    flash(_("Marked as reviewed.") if done else _("Marked as not reviewed."), "ok")
    return _to_call(call.id)


@bp.post("/calls/<int:call_id>/test-call")
@login_required
def test_call(call_id: int):
    call = visible_call(call_id, SUPERVISORS)
    flagged = request.form.get("test_call", "1") == "1"
    review.mark_test_call(call, flagged)
    db().commit()
    flash(_("Marked as a test call: kept out of agents' statistics.") if flagged
          else _("Marked as a real call: counted in agents' statistics."), "ok")
    return _to_call(call.id)


@bp.post("/calls/<int:call_id>/feedback")
@login_required
def feedback(call_id: int):
    call = visible_call(call_id, SUPERVISORS)
    try:
        review.add_feedback(db(), call, signed_in_user(), request.form.get("text", ""))
    except ReviewError as exc:
        flash(_(str(exc)), "error")
        return _to_call(call.id, "#feedback")
    db().commit()
    flash(_("Feedback saved; the agent sees it with the call."), "ok")
    return _to_call(call.id, "#feedback")


@bp.post("/calls/<int:call_id>/comments")
@login_required
def comment(call_id: int):
    """A comment pinned to a moment of the call (m:ss), which the call's agent sees."""
    call = visible_call(call_id, SUPERVISORS)
    try:
        added = review.add_comment(db(), call, signed_in_user(), request.form.get("at", ""),
                                   request.form.get("text", ""))
    except ReviewError as exc:
        flash(_(str(exc)), "error")
        return _to_call(call.id, "#comments")
    db().commit()
    flash(_("Comment pinned; the agent sees it with the call."), "ok")
    return _to_call(call.id, f"#comment-{added.id}")


@bp.get("/disputes")
@roles_required(*SUPERVISORS)
def disputes():
    queue = dispute_queue(db(), user_scope())
    return render_template("review/disputes.html", open_disputes=queue.open,
                           resolved=queue.resolved, labels=queue.labels,
                           items=queue.items, agent_name=queue.agent_name)


def _dispute(dispute_id: int) -> Dispute:
    """The dispute, if its call is one the supervisor may see (else 404)."""
    dispute = find_dispute(db(), dispute_id)
    if dispute is None:
        abort(404)
    visible_call(dispute.call_id, SUPERVISORS)
    return dispute


@bp.post("/disputes/<int:dispute_id>/accept")
@roles_required(*SUPERVISORS)
def accept(dispute_id: int):
    dispute = _dispute(dispute_id)
    try:
        review.accept_dispute(db(), dispute, signed_in_user(), request.form.get("reply", ""),
                              request.form.get("verdict") or None)
    except ReviewError as exc:
        flash(_(str(exc)), "error")
        return redirect(url_for("review.disputes"), code=303)
    db().commit()
    flash(_("Dispute accepted; the verdict is changed."), "ok")
    return redirect(url_for("review.disputes"), code=303)


@bp.post("/disputes/<int:dispute_id>/reject")
@roles_required(*SUPERVISORS)
def reject(dispute_id: int):
    dispute = _dispute(dispute_id)
    try:
        review.reject_dispute(db(), dispute, signed_in_user(), request.form.get("reply", ""))
    except ReviewError as exc:
        flash(_(str(exc)), "error")
        return redirect(url_for("review.disputes"), code=303)
    db().commit()
    flash(_("Dispute rejected; the agent sees your reply."), "ok")
    return redirect(url_for("review.disputes"), code=303)

"""Review assignments: a reviewer's "My reviews" queue, and assigning a call by hand."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for

from callqa.models import User, utcnow
from callqa.queries.arguments import read_day
from callqa.queries.assignments import my_reviews
from callqa.services import assignments
from callqa.services.assignments import AssignmentError
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

bp = Blueprint("assignments", __name__)
DEFAULT_DUE_DAYS = 7


@bp.get("/my/reviews")
@roles_required(*SUPERVISORS)
def mine():
    return render_template("review/my_reviews.html",
                           reviews=my_reviews(db(), signed_in_user(), user_scope()),
                           now=utcnow())


def default_due() -> date:
    return utcnow().date() + timedelta(days=DEFAULT_DUE_DAYS)


@bp.post("/calls/<int:call_id>/assign")
@login_required
def assign(call_id: int):
    call = visible_call(call_id, SUPERVISORS)
    back = redirect(url_for("calls.show", call_id=call.id) + "#assignments", code=303)
    try:
        due = read_day(request.form.get("due", ""), "due")
    except ValueError:
        flash(_("Give the due date as a date."), "error")
        return back
    reviewer_id = request.form.get("reviewer_id", "")
    reviewer = db().get(User, int(reviewer_id)) if reviewer_id.isdigit() else None
    try:
        assignments.assign_by_hand(db(), call, reviewer, signed_in_user(), due)
    except AssignmentError as exc:
        flash(_(str(exc)), "error")
        return back
    db().commit()
    flash(_("Assigned for review."), "ok")
    return back

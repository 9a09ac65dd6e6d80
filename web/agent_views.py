"""Agents: their own calls with scores and feedback, acknowledging feedback, disputing items."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from callqa.queries.arguments import Rejections
from callqa.queries.call_list import SORTS, CallFilters
from callqa.queries.call_page import find_feedback
from callqa.services import reviewing as review
from callqa.services.reviewing import ReviewError
from callqa.web import db
from callqa.web.access import AGENTS, login_required, roles_required, signed_in_user, visible_call
from callqa.web.i18n import gettext as _
from callqa.web.listing import call_list, empty_list, say_ignored, sort_url, url_with
from callqa.web.saved_filter_views import opening_redirect, panel

bp = Blueprint("agent", __name__)


@bp.get("/my/calls")
@roles_required(*AGENTS)
def my_calls():
    if (opening := opening_redirect()) is not None:
        return opening
    user = signed_in_user()
    rejected: Rejections = []
    filters = CallFilters.from_args(request.args, rejected)
    if user.agent_id is None:  # not linked to an agent record: no calls are theirs
        listing = empty_list(filters)
    else:
        listing = call_list(db(), replace(filters, agent_id=user.agent_id), rejected)
    say_ignored(rejected)
    return render_template("agent/my_calls.html", listing=listing, sorts=SORTS,
                           sort_url=sort_url, url_with=url_with, saved=panel(filters))


@bp.post("/feedback/<int:feedback_id>/acknowledge")
@login_required
def acknowledge(feedback_id: int):
    feedback = find_feedback(db(), feedback_id)
    if feedback is None:
        abort(404)
    call = visible_call(feedback.call_id, AGENTS)
    review.acknowledge_feedback(feedback)
    db().commit()
    flash(_("Feedback acknowledged."), "ok")
    return redirect(url_for("calls.show", call_id=call.id) + "#feedback", code=303)


@bp.post("/calls/<int:call_id>/items/<item_id>/dispute")
@login_required
def dispute(call_id: int, item_id: str):
    call = visible_call(call_id, AGENTS)
    try:
        review.open_dispute(db(), call, item_id, signed_in_user(), request.form.get("comment", ""),
                            request.form.get("verdict", ""))
    except LookupError:
        abort(404)
    except ReviewError as exc:
        flash(_(str(exc)), "error")
        return redirect(url_for("calls.show", call_id=call.id) + f"#item-{item_id}", code=303)
    db().commit()
    flash(_("Dispute sent to the supervisors."), "ok")
    return redirect(url_for("calls.show", call_id=call.id) + f"#item-{item_id}", code=303)

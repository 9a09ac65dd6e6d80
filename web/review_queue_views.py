"""The "To review" queue: supervisors settle the items the machine left in review by
listening to each item's window (the agent's channel of a stereo call) and deciding pass or
fail; each decision is an override marked as decided by listening (web/static/review_queue.js
plays the windows and takes the keys)."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from callqa.qa.audio import AudioError
from callqa.queries import directory
from callqa.queries.arguments import Rejections
from callqa.queries.review_queue import ReviewQueueFilters, queue_entry, review_queue
from callqa.services import reviewing as review
from callqa.services.listening import window_audio
from callqa.services.reviewing import ReviewError
from callqa.services.score_store import rules_for
from callqa.web import db
from callqa.web.access import (
    SUPERVISORS,
    login_required,
    roles_required,
    signed_in_user,
    user_scope,
    visible_call,
)
from callqa.web.appctx import settings
from callqa.web.i18n import gettext as _
from callqa.web.listing import page_arg, say_ignored, url_with
from callqa.web.redirects import safe_next

bp = Blueprint("review_queue", __name__)
PER_PAGE = 20


@bp.get("/review-queue")
@roles_required(*SUPERVISORS)
def index():
    rejected: Rejections = []
    filters = replace(ReviewQueueFilters.from_args(request.args, rejected), scope=user_scope())
    page = review_queue(db(), filters, page_arg("page", 1, rejected), PER_PAGE)
    say_ignored(rejected)
    return render_template("review/queue.html", queue=page, filters=filters,
                           choices=_filter_choices(), url_with=url_with)


def _filter_choices() -> dict[str, object]:
    return {
        "agents": directory.agents(db(), user_scope()),
        "queues": directory.queues(db()),
        "items": [(item.id, dict(item.label)) for item in rules_for(settings()).scorecard.items],
    }


@bp.get("/calls/<int:call_id>/items/<item_id>/window.wav")
@login_required
def window(call_id: int, item_id: str):
    """The item's window of the recording: the agent's channel of a stereo call, as WAV,
    with byte ranges, so the player can seek in it."""
    call = visible_call(call_id, SUPERVISORS)
    entry = queue_entry(db(), call, item_id)
    if entry is None:
        abort(404)
    try:
        audio = window_audio(call, settings(), entry.start, entry.end)
    except AudioError:
        abort(404)
    if audio is None:
        abort(404)
    response = Response(audio.wav, mimetype="audio/wav")
    response.headers["X-Callqa-Channel"] = audio.channel
    response.headers["X-Callqa-Window"] = f"{entry.start:.2f}-{entry.end:.2f}"
    response.add_etag()
    return response.make_conditional(request, accept_ranges=True,
                                     complete_length=len(audio.wav))


@bp.post("/calls/<int:call_id>/items/<item_id>/decide")
@login_required
def decide(call_id: int, item_id: str):
    call = visible_call(call_id, SUPERVISORS)
    back = _back_to_queue()
    try:
        review.decide_by_listening(db(), call, item_id, request.form.get("verdict", ""),
                                   request.form.get("comment", ""), signed_in_user())
    except LookupError:
        abort(404)
    except ReviewError as exc:
        flash(_(str(exc)), "error")
        return redirect(back, code=303)
    db().commit()
    flash(_("Decided: the call's score is recomputed."), "ok")
    return redirect(back, code=303)


def _back_to_queue() -> str:
    """The queue page the decision came from (its filters and page), never another site."""
    back = request.form.get("next", "")
    queue = url_for("review_queue.index")
    if safe_next(back) and (back == queue or back.startswith(queue + "?")):
        return back
    return queue

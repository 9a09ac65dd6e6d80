"""Coaching: supervisors write notes for a call's agent; agents acknowledge them; an agent's
coaching page lists open and done coaching with the trend of the items it was about."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from callqa.models import Agent, utcnow
from callqa.queries.coaching import agent_coaching, find_note
from callqa.services import coaching
from callqa.services.coaching import CoachingError
from callqa.services.score_store import rules_for
from callqa.web import db
from callqa.web.access import (
    AGENTS,
    SUPERVISORS,
    login_required,
    roles_required,
    signed_in_user,
    user_scope,
    visible_call,
)
from callqa.web.appctx import settings
from callqa.web.i18n import gettext as _
from callqa.web.i18n import pick

bp = Blueprint("coaching", __name__)


@bp.post("/calls/<int:call_id>/coaching")
@login_required
def create(call_id: int):
    call = visible_call(call_id, SUPERVISORS)
    try:
        coaching.create_note(db(), call, signed_in_user(), request.form.get("text", ""),
                             request.form.getlist("item_id"), request.form.get("moments", ""))
    except CoachingError as exc:
        flash(_(str(exc)), "error")
        return redirect(url_for("calls.show", call_id=call.id) + "#coaching", code=303)
    db().commit()
    flash(_("Coaching saved; the agent is asked to acknowledge it."), "ok")
    return redirect(url_for("calls.show", call_id=call.id) + "#coaching", code=303)


@bp.post("/coaching/<int:note_id>/acknowledge")
@login_required
def acknowledge(note_id: int):
    note = find_note(db(), note_id)
    if note is None:
        abort(404)
    visible_call(note.call_id, AGENTS)  # the agent's own call, or 404
    if note.agent_id != signed_in_user().agent_id:
        abort(404)
    coaching.acknowledge(note)
    db().commit()
    flash(_("Coaching acknowledged."), "ok")
    return redirect(url_for("coaching.mine"), code=303)


@bp.get("/my/coaching")
@roles_required(*AGENTS)
def mine():
    agent_id = signed_in_user().agent_id
    agent = db().get(Agent, agent_id) if agent_id is not None else None
    return _page(agent)


@bp.get("/agents/<int:agent_id>/coaching")
@roles_required(*SUPERVISORS)
def agent_page(agent_id: int):
    agent = db().get(Agent, agent_id)
    if agent is None or not user_scope().has_agent(agent.id):
        abort(404)
    return _page(agent)


def _page(agent: Agent | None):
    found = agent_coaching(db(), agent.id, utcnow().date()) if agent is not None else None
    labels = {item.id: pick(dict(item.label)) for item in rules_for(settings()).scorecard.items}
    return render_template("program/coaching.html", agent=agent, coaching=found, labels=labels)

"""Administration: users (create, deactivate, link to an agent record), stored scorecards, and
the workers with the queue (calls sent back to it)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from callqa.models import Role, User
from callqa.queries import directory
from callqa.queries.workers import status_counts, worker_rows
from callqa.services import accounts as users
from callqa.services.accounts import ROLES, UserError
from callqa.services.dispatch import REQUEUE_STATUSES, broker_queue_depth, requeue, requeueable
from callqa.web import db
from callqa.web.access import roles_required, signed_in_user
from callqa.web.appctx import sessions, settings
from callqa.web.i18n import gettext as _
from callqa.web.i18n import ngettext

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@roles_required(Role.ADMIN)
def user_list():
    return _users_page({})


def _users_page(values: dict[str, str], status: int = 200):
    return render_template("admin/users.html", users=directory.users(db()),
                           agents=directory.agents(db()), roles=ROLES, values=values), status


@bp.post("/users")
@roles_required(Role.ADMIN)
def create():
    values = {k: request.form.get(k, "") for k in ("username", "role", "agent_id")}
    try:
        user = users.create_user(db(), values["username"], request.form.get("password", ""),
                                 values["role"], values["agent_id"].strip() or None)
    except UserError as exc:
        db().rollback()
        flash(_(str(exc)), "error")
        return _users_page(values, 400)
    db().commit()
    flash(_("User %(name)s created.", name=user.username), "ok")
    return redirect(url_for("admin.user_list"), code=303)


def _user(user_id: int) -> User:
    user = directory.find_user(db(), user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/active")
@roles_required(Role.ADMIN)
def set_active(user_id: int):
    user = _user(user_id)
    active = request.form.get("active") == "1"
    if user.id == signed_in_user().id and not active:
        flash(_("You cannot deactivate yourself."), "error")
        return redirect(url_for("admin.user_list"), code=303)
    users.set_active(user, active)
    db().commit()
    flash(_("User %(name)s activated.", name=user.username) if active
          else _("User %(name)s deactivated.", name=user.username), "ok")
    return redirect(url_for("admin.user_list"), code=303)


@bp.post("/users/<int:user_id>/agent")
@roles_required(Role.ADMIN)
def link_agent(user_id: int):
    user = _user(user_id)
    try:
        users.link_agent(db(), user, request.form.get("agent_id", "").strip() or None)
    except UserError as exc:
        flash(_(str(exc)), "error")
        return redirect(url_for("admin.user_list"), code=303)
    db().commit()
    flash(_("Agent link of %(name)s saved.", name=user.username), "ok")
    return redirect(url_for("admin.user_list"), code=303)


@bp.get("/scorecards")
@roles_required(Role.ADMIN)
def scorecards():
    return render_template("admin/scorecards.html", scorecards=directory.scorecards(db()))


@bp.get("/scorecards/<int:scorecard_id>")
@roles_required(Role.ADMIN)
def scorecard(scorecard_id: int):
    row = directory.find_scorecard(db(), scorecard_id)
    if row is None:
        abort(404)
    return render_template("admin/scorecard.html", scorecard=row)


@bp.get("/workers")
@roles_required(Role.ADMIN)
def workers():
    config = settings()
    return render_template(
        "admin/workers.html", workers=worker_rows(db(), config.heartbeat_s),
        counts=status_counts(db()), broker=config.uses_broker,
        broker_depth=broker_queue_depth(config), queue_name=config.celery_queue,
        requeueable={status: requeueable(db(), config, status) for status in REQUEUE_STATUSES})


@bp.post("/requeue")
@roles_required(Role.ADMIN)
def requeue_calls():
    status = request.form.get("status", "")
    if status not in REQUEUE_STATUSES:
        abort(400)
    sent = requeue(sessions(), settings(), status)
    flash(ngettext("%(num)d call sent back to the queue.",
                   "%(num)d calls sent back to the queue.", len(sent)), "ok")
    return redirect(url_for("admin.workers"), code=303)

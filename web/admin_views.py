"""Administration: users (create, deactivate, link to an agent record), stored scorecards,
teams (their agents and supervisors), the API tokens of integrations (create, revoke), and
the workers with the queue (calls sent back to it)."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from callqa.models import Role, Team, User
from callqa.queries import directory
from callqa.queries.workers import status_counts, worker_rows
from callqa.services import accounts as users
from callqa.services import integrations
from callqa.services import teams as team_service
from callqa.services.accounts import ROLES, UserError
from callqa.services.dispatch import REQUEUE_STATUSES, broker_queue_depth, requeue, requeueable
from callqa.services.integrations import IntegrationError
from callqa.web import db
from callqa.web.access import roles_required, signed_in_user
from callqa.web.appctx import sessions, settings
from callqa.web.i18n import gettext as _
from callqa.web.i18n import ngettext, translated

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@roles_required(Role.ADMIN)
def user_list():
    return _users_page({})


def _users_page(values: dict[str, str], status: int = 200, new_password: str | None = None,
                password_for: User | None = None):
    return render_template("admin/users.html", users=directory.users(db()),
                           agents=directory.agents(db()), roles=ROLES, values=values,
                           new_password=new_password, password_for=password_for), status


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


@bp.post("/users/<int:user_id>/password")
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    """A new password for the user: the one typed, or a generated one shown on this page once
    (the response is not cached and the password is stored only hashed)."""
    user = _user(user_id)
    typed = request.form.get("password", "")
    try:
        password = users.reset_password(user, typed or None)
    except UserError as exc:
        db().rollback()
        flash(_(str(exc)), "error")
        return redirect(url_for("admin.user_list"), code=303)
    db().commit()
    if typed:
        flash(_("Password of %(name)s set; their sessions are signed out.", name=user.username),
              "ok")
        return redirect(url_for("admin.user_list"), code=303)
    page, status = _users_page({}, new_password=password, password_for=user)
    return page, status, {"Cache-Control": "no-store"}


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


@bp.get("/tokens")
@roles_required(Role.ADMIN)
def token_list():
    return _tokens_page({})


def _tokens_page(values: Mapping[str, object], status: int = 200, new_token: str | None = None):
    return render_template("admin/tokens.html", tokens=integrations.tokens(db()),
                           scopes=integrations.SCOPES, values=values,
                           teams=[view.team for view in team_service.teams(db())],
                           team_names=integrations.token_team_names,
                           new_token=new_token), status


@bp.post("/tokens")
@roles_required(Role.ADMIN)
def create_token():
    values = {"name": request.form.get("name", ""), "scopes": request.form.getlist("scope"),
              "teams": request.form.getlist("team")}
    try:
        token, text = integrations.create_token(db(), str(values["name"]), values["scopes"],
                                                signed_in_user(), values["teams"])
    except IntegrationError as exc:
        db().rollback()
        flash(_(str(exc)), "error")
        return _tokens_page(values, 400)
    db().commit()
    # shown on this page once and never again: not redirected through the session cookie
    flash(_("API token %(name)s created. Copy it now: it is not shown again.",
            name=token.name), "ok")
    return _tokens_page({}, 201, new_token=text)


@bp.post("/tokens/<int:token_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_token(token_id: int):
    token = integrations.find_token(db(), token_id)
    if token is None:
        abort(404)
    integrations.revoke_token(token)
    db().commit()
    flash(_("API token %(name)s revoked.", name=token.name), "ok")
    return redirect(url_for("admin.token_list"), code=303)


@bp.get("/teams")
@roles_required(Role.ADMIN)
def team_list():
    return _teams_page("")


def _teams_page(name: str, status: int = 200):
    return render_template(
        "admin/teams.html", teams=team_service.teams(db()), agents=directory.agents(db()),
        supervisors=[u for u in directory.users(db()) if u.role == Role.SUPERVISOR],
        name=name), status


@bp.post("/teams")
@roles_required(Role.ADMIN)
def create_team():
    name = request.form.get("name", "")
    outcome = team_service.change_team(db(), lambda s: team_service.create_team(s, name))
    if outcome.refused is not None:
        flash(translated(outcome.refused.message.msgid, outcome.refused.message.params), "error")
        return _teams_page(name, 400)
    db().commit()
    assert outcome.result is not None  # made, as it was not refused
    flash(_("Team %(name)s created.", name=outcome.result.name), "ok")
    return redirect(url_for("admin.team_list"), code=303)


def _change_team(team_id: int, change: Callable[[Session, Team], object], done: str):
    """Apply one of the team services (the ones `callqa team` runs) to the team, and say so."""
    team = team_service.team_by_id(db(), team_id)
    if team is None:
        abort(404)
    outcome = team_service.change_team(db(), lambda session: change(session, team))
    if outcome.refused is not None:
        flash(translated(outcome.refused.message.msgid, outcome.refused.message.params), "error")
        return redirect(url_for("admin.team_list"), code=303)
    db().commit()
    flash(done, "ok")
    return redirect(url_for("admin.team_list"), code=303)


@bp.post("/teams/<int:team_id>/agents")
@roles_required(Role.ADMIN)
def add_team_agent(team_id: int):
    agent = request.form.get("agent_id", "").strip()
    return _change_team(team_id, lambda s, t: team_service.add_agent(s, t.name, agent),
                        _("Agent %(agent)s is in the team now.", agent=agent))


@bp.post("/teams/<int:team_id>/agents/remove")
@roles_required(Role.ADMIN)
def remove_team_agent(team_id: int):
    agent = request.form.get("agent_id", "").strip()
    return _change_team(team_id, lambda s, t: team_service.remove_agent(s, t.name, agent),
                        _("Agent %(agent)s is no longer in the team.", agent=agent))


@bp.post("/teams/<int:team_id>/supervisors")
@roles_required(Role.ADMIN)
def give_team(team_id: int):
    username = request.form.get("username", "").strip()
    return _change_team(team_id, lambda s, t: team_service.give_team(s, t.name, username),
                        _("%(user)s supervises the team now.", user=username))


@bp.post("/teams/<int:team_id>/supervisors/remove")
@roles_required(Role.ADMIN)
def take_team(team_id: int):
    username = request.form.get("username", "").strip()
    return _change_team(team_id, lambda s, t: team_service.take_team(s, t.name, username),
                        _("%(user)s no longer supervises the team.", user=username))
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

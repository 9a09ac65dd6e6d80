"""Signing in and out, and the language switch."""
from __future__ import annotations

import math
from zoneinfo import available_timezones

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from callqa.services import login_throttle
from callqa.services.accounts import (
    UserError,
    authenticate,
    change_own_password,
    end_sessions,
    record_sign_in,
    set_time_zone,
)
from callqa.services.login_throttle import ThrottlePolicy
from callqa.web import db
from callqa.web.access import SUPERVISORS, current_user, login_required, signed_in_user
from callqa.web.i18n import LANGUAGES, display_zone_name
from callqa.web.i18n import gettext as _
from callqa.web.redirects import safe_next
from callqa.web.sessions import signed_in_values

bp = Blueprint("auth", __name__)


@bp.get("/")
def home():
    user = current_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if user.role in SUPERVISORS:
        return redirect(url_for("calls.index"))
    return redirect(url_for("agent.my_calls"))


@bp.get("/login")
def login_page():
    """The form. Flask answers HEAD with this view too, so HEAD never signs anyone in."""
    return render_template("login.html", next=safe_next(request.args.get("next")))


@bp.post("/login")
def login():
    username, address = request.form.get("username", ""), request.remote_addr or "unknown"
    policy = ThrottlePolicy.from_settings(current_app.config["CALLQA_SETTINGS"])
    wait = login_throttle.wait_seconds(db(), username, address, policy)
    if wait:
        flash(_("Too many failed sign-ins. Try again in %(minutes)s min.",
                minutes=math.ceil(wait / 60)), "error")
        return _login_refused(username, 429, {"Retry-After": str(wait)})
    user = authenticate(db(), username, request.form.get("password", ""))
    if user is None:
        login_throttle.record_failure(db(), username, address, policy)
        db().commit()
        flash(_("Wrong user name or password, or the account is inactive."), "error")
        return _login_refused(username, 401)
    login_throttle.clear_failures(db(), username, address)
    record_sign_in(user)
    db().commit()
    language = session.get("lang")
    session.clear()  # a new session on sign-in: nothing carried over from before
    session.update(signed_in_values(user))
    if language:
        session["lang"] = language
    return redirect(safe_next(request.form.get("next")) or url_for("auth.home"), code=303)


def _resign(user) -> None:
    """This browser stays signed in as `user` at its new session version."""
    language = session.get("lang")
    session.clear()
    session.update(signed_in_values(user))
    if language:
        session["lang"] = language


def _account_page(status: int = 200):
    return render_template("account_password.html", zones=sorted(available_timezones()),
                           zone_shown=display_zone_name()), status


@bp.get("/account/password")
@login_required
def password_form():
    return _account_page()


@bp.post("/account/timezone")
@login_required
def set_zone():
    try:
        set_time_zone(signed_in_user(), request.form.get("time_zone", ""))
    except UserError as exc:
        flash(_(str(exc)), "error")
        return _account_page(400)
    db().commit()
    flash(_("Times are shown in %(zone)s.", zone=display_zone_name()), "ok")
    return redirect(url_for("auth.password_form"), code=303)


@bp.post("/account/password")
@login_required
def change_password():
    user = signed_in_user()
    new = request.form.get("new_password", "")
    if new != request.form.get("confirm_password", ""):
        flash(_("The two new passwords differ."), "error")
        return _account_page(400)
    try:
        change_own_password(user, request.form.get("current_password", ""), new)
    except UserError as exc:
        db().rollback()
        flash(_(str(exc)), "error")
        return _account_page(400)
    db().commit()
    _resign(user)
    flash(_("Password changed; your other sessions are signed out."), "ok")
    return redirect(url_for("auth.home"), code=303)


def _login_refused(username: str, status: int, headers: dict[str, str] | None = None):
    page = render_template("login.html", next=safe_next(request.form.get("next")),
                           username=username)
    return make_response(page, status, headers or {})


@bp.post("/logout")
def logout():
    """Ends every session of the user, not only this cookie: a copy of it (saved on a shared
    computer, or stolen) opens nothing afterwards."""
    user = current_user()
    if user is not None:
        end_sessions(user)
        db().commit()
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    return redirect(url_for("auth.login"), code=303)


@bp.post("/language")
def set_language():
    language = request.form.get("lang")
    if language in LANGUAGES:
        session["lang"] = language
        user = current_user()
        if user is not None:
            user.language = language
            db().commit()
    return redirect(safe_next(request.form.get("next")) or url_for("auth.home"), code=303)

"""Signing in and out, and the language switch."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from callqa.users import authenticate
from web import db
from web.access import SUPERVISORS, current_user
from web.i18n import LANGUAGES
from web.i18n import gettext as _

bp = Blueprint("auth", __name__)


@bp.get("/")
def home():
    user = current_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if user.role in SUPERVISORS:
        return redirect(url_for("calls.index"))
    return redirect(url_for("agent.my_calls"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", next=safe_next(request.args.get("next")))
    user = authenticate(db(), request.form.get("username", ""), request.form.get("password", ""))
    if user is None:
        flash(_("Wrong user name or password, or the account is inactive."), "error")
        return render_template("login.html", next=safe_next(request.form.get("next")),
                               username=request.form.get("username", "")), 401
    language = session.get("lang")
    session.clear()  # a new session on sign-in: nothing carried over from before
    session["user_id"] = user.id
    if language:
        session["lang"] = language
    return redirect(safe_next(request.form.get("next")) or url_for("auth.home"), code=303)


@bp.post("/logout")
def logout():
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


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target

"""Wiring of the web app: secret key, CSRF, the signed-in user, language, headers, blueprints."""
from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app, g, jsonify, render_template, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from callqa.models.db import DISCONNECTS
from callqa.queries.arguments import INT_MAX
from callqa.queries.directory import find_user
from callqa.queries.workers import no_worker_since
from callqa.settings import Settings
from callqa.web import db, i18n
from callqa.web.access import SUPERVISORS
from callqa.web.highlight import highlight
from callqa.web.sessions import is_current

csrf = CSRFProtect()

# Plotly.js (the dashboard's charts) puts its CSS rules in the page by adding an empty <style>
# element and filling it through the CSSOM (sheet.insertRule), which a CSP does not govern; only
# the empty element itself needs allowing, by the hash of empty content (base64 of the SHA-256
# of ""). Styles with any content, and every inline script, stay refused. (plotly.js#2355; the
# MapLibre CSS it also adds when loading is kept out by an empty placeholder: web/vendor.py.)
_EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
_CSP = ("default-src 'self'; script-src 'self'; "
        f"style-src 'self' {_EMPTY_STYLE}; img-src 'self' data:; "
        "media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def init_web(app: Flask, settings: Settings) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:  # behind that many reverse proxies: the client is who they say it is
        # Flask's documented way to wrap its WSGI app, which its typing declares a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(settings.home)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid while the session lasts
    # the cookie's signature expires too, however the session is checked (web/sessions.py)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=settings.session_max_s)
    csrf.init_app(app)
    i18n.init_app(app)
    app.jinja_env.filters["highlight"] = highlight
    app.before_request(_load_user)
    app.context_processor(_worker_notice)
    app.after_request(_security_headers)
    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    app.url_map.converters["int"] = DatabaseId  # before the routes are made
    _register_blueprints(app)


class DatabaseId(IntegerConverter):
    """`<int:...>` in a route: a number larger than the database's ids is no route (404),
    where it was an error of the database (500)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def secret_key(home: Path) -> str:
    """The key in `<home>/secret_key`, made (mode 0600) the first time, so sessions survive
    restarts; several processes starting at once agree on one. The key is written to a
    temporary file and linked into place, so the file never exists half-written, even if a
    process dies while making it."""
    path = home / "secret_key"
    home.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd, draft = tempfile.mkstemp(dir=home, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as stream:
                stream.write(secrets.token_hex(32))
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            os.unlink(draft)
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it to make a new secret key")
    return key


def _load_user() -> None:
    g.user = None
    user_id = session.get("user_id")
    if user_id is not None:
        user = find_user(db(), user_id)
        if is_current(session, user, current_app.config["CALLQA_SETTINGS"]):
            g.user = user
        else:  # signed out elsewhere, a new password, deactivated, or expired
            language = session.get("lang")
            session.clear()
            if language:
                session["lang"] = language
    g.lang = i18n.request_language(g.user)


# A running worker is seen at least this often (its heartbeat interval, times this).
_WORKER_SEEN_BEATS = 3


def _worker_notice() -> dict:
    """`worker_missing()` for the page header: for supervisors and admins, who upload, when
    no processing worker has been seen recently ({"seen": when last, or None}), else None."""
    def worker_missing() -> dict | None:
        user = g.get("user")
        if user is None or user.role not in SUPERVISORS:
            return None
        config: Settings = current_app.config["CALLQA_SETTINGS"]
        try:
            missing, seen = no_worker_since(db(), _WORKER_SEEN_BEATS * config.heartbeat_s)
        except DISCONNECTS:  # the page (an error page, maybe) is shown without the notice
            return None
        return {"seen": seen} if missing else None
    return {"worker_missing": worker_missing}


# What anyone may fetch and caches may keep: the app's own static files and published libraries.
_PUBLIC_ENDPOINTS = frozenset({"static", "vendor.plotly_js"})


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint not in _PUBLIC_ENDPOINTS:
        # pages, exports and recordings carry personal data: kept by no cache, not even the
        # browser's (a shared computer, the back button after signing out)
        response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(error):
    if _is_api():
        return jsonify({"error": error.description or error.name}), error.code
    return render_template("error.html", code=error.code), error.code


def _is_api() -> bool:
    """The API answers in JSON, also for what no view of it handled (404, 405, 413)."""
    return request.path == "/api/v1" or request.path.startswith("/api/v1/")


def _csrf_error(error: CSRFError):
    return render_template("error.html", code=400, csrf=True), 400


def _register_blueprints(app: Flask) -> None:
    from callqa.web import admin_views as admin
    from callqa.web import agent_views as agent
    from callqa.web import assignment_views as assignments
    from callqa.web import auth_views as auth
    from callqa.web import calibration_views as calibration
    from callqa.web import calls_views as calls
    from callqa.web import coaching_views as coaching
    from callqa.web import dashboard_views as dashboard
    from callqa.web import erasure_views as erasure
    from callqa.web import notification_views as notifications
    from callqa.web import review_queue_views as review_queue
    from callqa.web import review_views as review
    from callqa.web import saved_filter_views as saved_filters
    from callqa.web import search_views as search
    from callqa.web import upload_views as upload
    from callqa.web import vendor_views as vendor
    from callqa.web.api import bp as api

    for module in (auth, calls, review, review_queue, agent, upload, admin, dashboard, vendor,
                   assignments, coaching, calibration, notifications, erasure, search,
                   saved_filters):
        app.register_blueprint(module.bp)
    app.jinja_env.globals["notification_count"] = notifications.notification_count
    app.jinja_env.globals["pass_mark"] = lambda: app.config["CALLQA_SETTINGS"].pass_mark
    app.register_blueprint(api)
    csrf.exempt(api)  # authenticated by Bearer tokens only, never by the session cookie

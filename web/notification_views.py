"""Notifications inside the app: the badge in the header and the list behind it."""
from __future__ import annotations

from flask import Blueprint, g, render_template

from callqa.models import Role, utcnow
from callqa.queries.notifications import Notification, notifications
from callqa.queries.scope import EVERYTHING
from callqa.web import db
from callqa.web.access import current_user, login_required, signed_in_user, user_scope

bp = Blueprint("notifications", __name__)


def _mine() -> list[Notification]:
    """Once per request."""
    if "notifications" not in g:
        user = signed_in_user()
        scope = EVERYTHING if user.role == Role.AGENT else user_scope()
        g.notifications = notifications(db(), user, scope, utcnow())
    return g.notifications


def notification_count() -> int:
    """For the header's badge; 0 when nobody is signed in."""
    return len(_mine()) if current_user() is not None else 0


@bp.get("/notifications")
@login_required
def index():
    return render_template("program/notifications.html", notifications=_mine())

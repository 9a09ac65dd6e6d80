"""Who may see what. Agents see only their own calls: anything else is 404 to them, as if it
did not exist; a role that may not do something gets 403."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, redirect, request, url_for

from callqa.models import Call, Role, User
from callqa.queries.call_page import find_call
from callqa.web import db

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
AGENTS = (Role.AGENT,)
EVERYONE = (Role.ADMIN, Role.SUPERVISOR, Role.AGENT)


def current_user() -> User | None:
    return g.get("user")


def signed_in_user() -> User:
    """The user of a request to a view behind login_required (or roles_required)."""
    user = current_user()
    assert user is not None, "the view is behind login_required"
    return user


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped


def roles_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if signed_in_user().role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


def can_see(user: User, call: Call) -> bool:
    if user.role in SUPERVISORS:
        return True
    return user.agent_id is not None and call.agent_id == user.agent_id


def visible_call(call_id: int, roles: tuple[str, ...] = EVERYONE) -> Call:
    """The call if the user may see it (else 404), and if their role may use this route
    (else 403). Visibility comes first, so nothing tells an agent another's call exists."""
    user = current_user()
    call = find_call(db(), call_id)
    if user is None or call is None or not can_see(user, call):
        abort(404)
    if user.role not in roles:
        abort(403)
    return call


def is_supervisor() -> bool:
    user = current_user()
    return user is not None and user.role in SUPERVISORS

"""Who may see what. Agents see only their own calls: anything else is 404 to them, as if it
did not exist; a role that may not do something gets 403. A supervisor given teams sees only
the calls of their agents, the same way (404); a supervisor given no team sees every call, as
before teams existed, and so do admins (callqa.queries.scope). A calibration call that the
user still scores blind is 403 on every route that shows its verdicts."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, redirect, request, url_for

from callqa.models import Call, Role, User
from callqa.queries.call_page import find_call
from callqa.queries.scope import Scope, scope_for
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


def user_scope() -> Scope:
    """The calls the signed-in supervisor or admin may see, once per request."""
    if "scope" not in g:
        g.scope = scope_for(db(), signed_in_user())
    return g.scope


def can_see(user: User, call: Call) -> bool:
    if user.role in SUPERVISORS:
        return user_scope().has_agent(call.agent_id)
    return user.agent_id is not None and call.agent_id == user.agent_id


def visible_call(call_id: int, roles: tuple[str, ...] = EVERYONE,
                 blind_ok: bool = False) -> Call:
    """The call if the user may see it (else 404), and if their role may use this route
    (else 403). Visibility comes first, so nothing tells an agent another's call exists.
    A call the user scores blind in a calibration session is 403 unless `blind_ok` (the
    recording, which shows no verdict)."""
    user = current_user()
    call = find_call(db(), call_id)
    if user is None or call is None or not can_see(user, call):
        abort(404)
    if user.role not in roles:
        abort(403)
    if not blind_ok and user.role in SUPERVISORS and call.id in user_scope().hidden_call_ids:
        abort(403)
    return call


def is_supervisor() -> bool:
    user = current_user()
    return user is not None and user.role in SUPERVISORS

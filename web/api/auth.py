"""The API blueprint and who may call it: a Bearer token of an integration, with the scope
the endpoint needs. The UI's session cookie is never read here, which is why (and the only
reason) this blueprint is exempt from CSRF: a browser cannot send another site's token."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Blueprint, g, jsonify, request

from callqa.models import ApiScope, ApiToken
from callqa.queries.scope import Scope, token_scope
from callqa.services.integrations import authenticate
from callqa.web import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC = frozenset({"api.openapi"})
_TOUCH_EVERY = timedelta(minutes=1)  # how often a token's last use is written down


def problem(status: int, error: str, reasons: list[str] | None = None, **extra: Any):
    """A JSON error: what went wrong and, for bad input, every reason."""
    body: dict[str, Any] = {"error": error}
    if reasons:
        body["reasons"] = reasons
    body.update(extra)
    return jsonify(body), status


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized("send an API token: Authorization: Bearer <token>")
    found = authenticate(db(), token.strip(), _TOUCH_EVERY)
    if found is None:
        return _unauthorized("unknown or revoked API token")
    db().commit()  # its last use, when that changed
    g.api_token = found
    g.api_scope = token_scope(db(), found)
    return None


def _unauthorized(error: str):
    body, status = problem(401, error)
    body.headers["WWW-Authenticate"] = 'Bearer realm="callqa"'
    return body, status


def api_token() -> ApiToken:
    token = g.get("api_token")
    assert token is not None, "the request passed _authenticate"
    return token


def api_scope() -> Scope:
    """The calls the token sees: its teams' agents' (every call for a token given no team)."""
    scope = g.get("api_scope")
    assert scope is not None, "the request passed _authenticate"
    return scope


def requires(scope: ApiScope) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The view answers 403 to a token without `scope`."""
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if str(scope) not in api_token().scopes:
                return problem(403, f"this token lacks the {scope} scope")
            return view(*args, **kwargs)
        wrapped.scope = str(scope)  # type: ignore[attr-defined]  # read by the OpenAPI test
        return wrapped
    return decorate

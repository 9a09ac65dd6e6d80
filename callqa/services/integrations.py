"""API tokens and webhooks: create, authenticate, revoke, register. Never commits."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.models import (
    ApiScope,
    ApiToken,
    ApiTokenTeam,
    Team,
    TeamMember,
    User,
    Webhook,
    WebhookDelivery,
    utcnow,
)
from callqa.qa.messages import N_

__all__ = ["EVENT_CALL_SCORED", "SCOPES", "IntegrationError", "authenticate", "create_token",
           "hash_token", "register_webhook", "revoke_token", "token_agent_ids",
           "unregister_webhook"]

SCOPES = tuple(str(scope) for scope in ApiScope)
EVENT_CALL_SCORED = "call.scored"
EVENTS = (EVENT_CALL_SCORED,)
_TOKEN_PREFIX = "cqa_"


class IntegrationError(ValueError):
    """A token or webhook that cannot be made; the message says why."""


def hash_token(token: str) -> str:
    """What is stored of a token. A token is 256 random bits, so a fast hash is enough: there
    is nothing to guess by trying words."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, scopes: Iterable[str],
                 created_by: User | None = None, teams: Iterable[str] = ()
                 ) -> tuple[ApiToken, str]:
    """A new token and its text, which is shown once and kept nowhere. Given team names, it
    sees only those teams' calls, as a supervisor given them does; given none, every call."""
    name, chosen = name.strip(), sorted(set(scopes))
    if not name or len(name) > 100:
        raise IntegrationError(N_("Name the integration (up to 100 characters)."))
    if not chosen or any(scope not in SCOPES for scope in chosen):
        raise IntegrationError(N_("Choose at least one scope: ingest, read, surveys."))
    given = []
    for team_name in sorted({t.strip() for t in teams if t.strip()}):
        team = session.scalar(select(Team).where(Team.name == team_name))
        if team is None:
            raise IntegrationError(N_("There is no team of this name."))
        given.append(team)
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_hash=hash_token(token), prefix=token[:10], scopes=chosen,
                   created_by_id=created_by.id if created_by else None)
    row.teams = [ApiTokenTeam(team_id=team.id) for team in given]
    session.add(row)
    session.flush()
    return row, token


def token_team_names(token: ApiToken) -> list[str]:
    return sorted(given.team.name for given in token.teams)


def token_agent_ids(session: Session, token: ApiToken) -> frozenset[int] | None:
    """The agents of the token's teams, whose calls alone it sees; None when it was given no
    team (every call, as a supervisor given none)."""
    teams = [given.team_id for given in token.teams]
    if not teams:
        return None
    return frozenset(session.scalars(
        select(TeamMember.agent_id).where(TeamMember.team_id.in_(teams))))


def authenticate(session: Session, token: str,
                 touch_every: timedelta = timedelta(0)) -> ApiToken | None:
    """The active token with this text; None for an unknown or revoked one. Its last use is
    recorded when it was not within `touch_every` (so not every request writes)."""
    if not token.startswith(_TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or not row.active:
        return None
    now = utcnow()
    if row.last_used_at is None or row.last_used_at < now - touch_every:
        row.last_used_at = now
    return row


def revoke_token(token: ApiToken) -> None:
    """From now on the token is refused; its webhooks stop with it."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def find_token(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def register_webhook(session: Session, token: ApiToken, url: str,
                     secret: str | None = None, events: Iterable[str] = EVENTS
                     ) -> tuple[Webhook, str]:
    """A webhook of this token's integration and its signing secret (generated unless given)."""
    problem = url_problem(url)
    if problem:
        raise IntegrationError(problem)
    chosen = sorted(set(events))
    if not chosen or any(event not in EVENTS for event in chosen):
        raise IntegrationError(f"events: choose from {', '.join(EVENTS)}")
    if secret is not None and not 16 <= len(secret) <= 200:
        raise IntegrationError("secret: 16 to 200 characters")
    secret = secret or secrets.token_urlsafe(32)
    webhook = Webhook(token_id=token.id, url=url, secret=secret, events=chosen)
    session.add(webhook)
    session.flush()
    return webhook, secret


def url_problem(url: str) -> str | None:
    """Why a webhook URL cannot be used (None: it can)."""
    if len(url) > 2000:
        return "url: at most 2000 characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "url: not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "url: an http:// or https:// URL with a host"
    if parts.username or parts.password:
        return "url: no user name or password in the URL (the signature authenticates)"
    return None


def webhooks_of(session: Session, token: ApiToken) -> list[Webhook]:
    return list(session.scalars(
        select(Webhook).where(Webhook.token_id == token.id, Webhook.active.is_(True))
        .order_by(Webhook.id)))


def webhook_of(session: Session, token: ApiToken, webhook_id: int) -> Webhook | None:
    webhook = session.get(Webhook, webhook_id)
    if webhook is None or webhook.token_id != token.id or not webhook.active:
        return None
    return webhook


def unregister_webhook(webhook: Webhook) -> None:
    webhook.active = False



def recent_deliveries(session: Session, webhook: Webhook, limit: int = 100
                      ) -> list[WebhookDelivery]:
    """The webhook's deliveries, the newest first."""
    return list(session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
        .order_by(WebhookDelivery.id.desc()).limit(limit)))

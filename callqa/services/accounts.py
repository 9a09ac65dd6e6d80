"""Accounts: create, authenticate, deactivate, link to an agent record. Never commits."""
from __future__ import annotations

import re
import secrets
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from callqa.models import Agent, Role, User, utcnow
from callqa.models.lookup import agent_for
from callqa.qa.messages import N_
from callqa.services.passwords import password_problem

ROLES = tuple(str(r) for r in Role)
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


class UserError(ValueError):
    """An account that cannot be made or changed; the message is shown to the user."""


def create_user(
    session: Session, username: str, password: str, role: str,
    agent_external_id: str | None = None,
) -> User:
    username = username.strip()
    if not _USERNAME.match(username):
        raise UserError(N_("A user name is 1-64 letters, digits or . _ @ -"))
    if role not in ROLES:
        raise UserError(N_("Choose a role."))
    check_password_strength(password, username)
    if user_by_name(session, username) is not None:
        raise UserError(N_("This user name is taken."))
    user = User(username=username, role=role, active=True)
    user.set_password(password)
    session.add(user)
    if agent_external_id:
        link_agent(session, user, agent_external_id)
    session.flush()
    return user


def ensure_user(
    session: Session, username: str, role: str, agent_external_id: str | None = None,
    new_password: bool = False,
) -> tuple[User, str | None]:
    """The user with this name, made with a generated password if there is none (or given a
    new one with `new_password`): the user and that password, or None when it is unchanged.
    An existing user is otherwise left as it is, whatever its role."""
    user = user_by_name(session, username)
    password = generated_password() if user is None or new_password else None
    if user is None:
        assert password is not None  # generated above for a missing user
        user = create_user(session, username, password, role, agent_external_id)
    elif password is not None:
        set_password(user, password)
    return user, password


def generated_password() -> str:
    """16 random characters, shown once and stored only hashed."""
    return secrets.token_urlsafe(12)


def check_password_strength(password: str, username: str = "") -> None:
    """Refuses a short, common or guessable password (services/passwords.py)."""
    problem = password_problem(password, username)
    if problem is not None:
        raise UserError(problem)


def user_by_name(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, else None."""
    user = user_by_name(session, (username or "").strip())
    if user is None:
        check_password_hash(_dummy_hash(), password or "")  # as slow as a real check
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("not anybody's password")


def link_agent(session: Session, user: User, agent_external_id: str | None) -> Agent | None:
    """Link an agent user to the agent record with this id (made if calls have not come yet)."""
    if user.role != Role.AGENT:
        raise UserError(N_("Only agent users are linked to an agent record."))
    agent = agent_for(session, agent_external_id.strip(), None) if agent_external_id else None
    user.agent = agent
    return agent


def set_password(user: User, password: str) -> None:
    """A new password for an existing user; their sessions end (signed in with the old one)."""
    check_password_strength(password, user.username)
    user.set_password(password)
    end_sessions(user)


def change_own_password(user: User, current: str, new: str) -> None:
    """The user's own change: the current password first, then the policy; every other session
    of the user ends (the caller re-signs the one the change was made in)."""
    if not user.check_password(current or ""):
        raise UserError(N_("The current password is wrong."))
    if new == current:
        raise UserError(N_("The new password is the current one."))
    set_password(user, new)


def reset_password(user: User, password: str | None = None) -> str:
    """An admin's reset: the given password (under the policy) or a generated one, returned to
    be shown once; the user's sessions end."""
    password = password or generated_password()
    set_password(user, password)
    return password


def set_time_zone(user: User, name: str | None) -> None:
    """The zone the user's times are shown in (an IANA name); empty: the default."""
    name = (name or "").strip()
    if name and not is_time_zone(name):
        raise UserError(N_("Unknown time zone."))
    user.time_zone = name or None


def is_time_zone(name: str) -> bool:
    if name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def record_sign_in(user: User) -> None:
    user.last_login_at = utcnow()


def set_active(user: User, active: bool) -> None:
    user.active = active
    if not active:
        end_sessions(user)


def end_sessions(user: User) -> None:
    """Every session cookie of the user opens nothing from now on (web/sessions.py)."""
    user.session_version = (user.session_version or 0) + 1

"""Which calls a signed-in user's lists, pages and figures may show: a supervisor given teams
sees only the calls of those teams' agents (a supervisor given no team sees every call, as
before teams existed; admins always do), and nobody sees the machine's or others' verdicts of
a calibration call they are still scoring blind. An API token given teams is scoped as a
supervisor given them (token_scope). Agents are pinned to their own calls elsewhere
(web/access.py, the agent's views)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.models import (
    ApiToken,
    CalibrationCall,
    CalibrationReviewer,
    CalibrationSession,
    CalibrationStatus,
    Call,
    Role,
    TeamMember,
    TeamSupervisor,
    User,
)
from callqa.services.integrations import token_agent_ids

__all__ = ["EVERYTHING", "Scope", "blind_call_ids", "scope_for", "supervised_agent_ids",
           "token_scope"]


@dataclass(frozen=True)
class Scope:
    agent_ids: frozenset[int] | None = None  # None: every call, with an agent or without
    hidden_call_ids: frozenset[int] = frozenset()  # calibration calls scored blind

    def conditions(self) -> list[Any]:
        """WHERE conditions on Call for the calls in scope."""
        conditions: list[Any] = []
        if self.agent_ids is not None:
            conditions.append(Call.agent_id.in_(sorted(self.agent_ids)))
        if self.hidden_call_ids:
            conditions.append(Call.id.not_in(sorted(self.hidden_call_ids)))
        return conditions

    def has_agent(self, agent_id: int | None) -> bool:
        return self.agent_ids is None or agent_id in self.agent_ids

    def allows(self, call: Call) -> bool:
        return self.has_agent(call.agent_id) and call.id not in self.hidden_call_ids


EVERYTHING = Scope()


def scope_for(session: Session, user: User) -> Scope:
    """A supervisor's or admin's scope (an agent's calls are narrowed by their agent id)."""
    agents = supervised_agent_ids(session, user) if user.role == Role.SUPERVISOR else None
    return Scope(agents, blind_call_ids(session, user.id))


def token_scope(session: Session, token: ApiToken) -> Scope:
    """An API token's scope: the calls of its teams' agents, as for a supervisor given those
    teams (a token given no team sees every call). A token scores nothing blind."""
    return Scope(token_agent_ids(session, token))


def supervised_agent_ids(session: Session, user: User) -> frozenset[int] | None:
    """The agents of the supervisor's teams; None when they were given no team (all)."""
    teams = list(session.scalars(select(TeamSupervisor.team_id)
                                 .where(TeamSupervisor.user_id == user.id)))
    if not teams:
        return None
    return frozenset(session.scalars(
        select(TeamMember.agent_id).where(TeamMember.team_id.in_(teams))))


def blind_call_ids(session: Session, user_id: int) -> frozenset[int]:
    """The calls of open calibration sessions the user has not submitted their scores for."""
    return frozenset(session.scalars(
        select(CalibrationCall.call_id)
        .join(CalibrationReviewer, CalibrationReviewer.session_id == CalibrationCall.session_id)
        .join(CalibrationSession, CalibrationSession.id == CalibrationCall.session_id)
        .where(CalibrationReviewer.user_id == user_id,
               CalibrationReviewer.submitted_at.is_(None),
               CalibrationSession.status == CalibrationStatus.OPEN)))

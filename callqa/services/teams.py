"""Teams: agents belong to one team; supervisors are given teams and then see only their
agents' calls (callqa.queries.scope). Works in the caller's session, never commits."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.models import Agent, Role, Team, TeamMember, TeamSupervisor, User
from callqa.qa.messages import N_, MessageError

__all__ = ["TeamChange", "TeamError", "TeamView", "add_agent", "change_team", "create_team",
           "find_team", "give_team", "remove_agent", "take_team", "team_by_id", "teams"]

T = TypeVar("T")


class TeamError(MessageError, ValueError):
    """A team change that cannot be made: `message` says why (a message id with its
    parameters, which the web shows translated); str() is the English text."""


@dataclass(frozen=True)
class TeamChange(Generic[T]):
    """What a team change came to: what it returned, or why it was refused (and then nothing
    of it is left in the session)."""

    result: T | None = None
    refused: TeamError | None = None


def change_team(session: Session, change: Callable[[Session], T]) -> TeamChange[T]:
    """Make one of the changes below (create_team, add_agent, ...) in a savepoint of the
    caller's session, which commits a change made and says why one was refused: the one way
    `callqa team` and the admin's Teams page change teams."""
    try:
        with session.begin_nested():
            return TeamChange(result=change(session))
    except TeamError as exc:
        return TeamChange(refused=exc)


@dataclass(frozen=True)
class TeamView:
    team: Team
    agents: list[Agent]
    supervisors: list[User]


def create_team(session: Session, name: str) -> Team:
    name = name.strip()
    if not name or len(name) > 100:
        raise TeamError(N_("A team name is 1-100 characters."))
    if find_team(session, name) is not None:
        raise TeamError(N_("There is a team of this name already."))
    team = Team(name=name)
    session.add(team)
    session.flush()
    return team


def find_team(session: Session, name: str) -> Team | None:
    return session.scalar(select(Team).where(Team.name == name.strip()))


def team_by_id(session: Session, team_id: int) -> Team | None:
    return session.get(Team, team_id)


def _team(session: Session, name: str) -> Team:
    team = find_team(session, name)
    if team is None:
        raise TeamError(N_("no team named %(team)s"), team=repr(name))
    return team


def _agent(session: Session, external_id: str) -> Agent:
    agent = session.scalar(select(Agent).where(Agent.external_id == external_id))
    if agent is None:
        raise TeamError(N_("no agent with the id %(agent)s (as in the call metadata)"),
                        agent=repr(external_id))
    return agent


def add_agent(session: Session, team_name: str, agent_external_id: str) -> Team | None:
    """Put the agent in the team; the team they were in before, if another, is returned."""
    team, agent = _team(session, team_name), _agent(session, agent_external_id)
    member = session.get(TeamMember, agent.id)
    before = member.team if member is not None else None
    if member is None:
        session.add(TeamMember(agent_id=agent.id, team_id=team.id))
    else:
        member.team_id = team.id
    session.flush()
    return before if before is not None and before.id != team.id else None


def remove_agent(session: Session, team_name: str, agent_external_id: str) -> None:
    team, agent = _team(session, team_name), _agent(session, agent_external_id)
    member = session.get(TeamMember, agent.id)
    if member is None or member.team_id != team.id:
        raise TeamError(N_("agent %(agent)s is not in team %(team)s"),
                        agent=agent_external_id, team=team.name)
    session.delete(member)
    session.flush()


def _supervisor(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise TeamError(N_("no user named %(user)s"), user=repr(username))
    if user.role != Role.SUPERVISOR:
        raise TeamError(N_("%(user)s is a %(role)s: teams are given to supervisors "
                           "(admins see every call)"), user=username, role=str(user.role))
    return user


def give_team(session: Session, team_name: str, username: str) -> None:
    team, user = _team(session, team_name), _supervisor(session, username)
    if session.get(TeamSupervisor, (team.id, user.id)) is None:
        session.add(TeamSupervisor(team_id=team.id, user_id=user.id))
        session.flush()


def take_team(session: Session, team_name: str, username: str) -> None:
    team, user = _team(session, team_name), _supervisor(session, username)
    given = session.get(TeamSupervisor, (team.id, user.id))
    if given is None:
        raise TeamError(N_("%(user)s was not given team %(team)s"), user=username,
                        team=team.name)
    session.delete(given)
    session.flush()


def teams(session: Session) -> list[TeamView]:
    """Every team by name, with its agents and supervisors."""
    found = list(session.scalars(select(Team).order_by(Team.name)))
    agents: dict[int, list[Agent]] = {team.id: [] for team in found}
    for member in session.scalars(select(TeamMember).join(Agent).order_by(Agent.external_id)):
        agents[member.team_id].append(member.agent)
    supervisors: dict[int, list[User]] = {team.id: [] for team in found}
    for given in session.scalars(select(TeamSupervisor).join(User).order_by(User.username)):
        supervisors[given.team_id].append(given.user)
    return [TeamView(team, agents[team.id], supervisors[team.id]) for team in found]

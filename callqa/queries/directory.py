"""The records the UI lists to choose from or finds by id: agents, queues, users, scorecards."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from callqa.models import Agent, Queue, Scorecard, User
from callqa.queries.scope import EVERYTHING, Scope


def agents(session: Session, scope: Scope = EVERYTHING) -> list[Agent]:
    """The agents in `scope` (a supervisor's teams), by name."""
    query = select(Agent).order_by(Agent.name, Agent.external_id)
    if scope.agent_ids is not None:
        query = query.where(Agent.id.in_(sorted(scope.agent_ids)))
    return list(session.scalars(query))


def queues(session: Session) -> list[Queue]:
    return list(session.scalars(select(Queue).order_by(Queue.name)))


def users(session: Session) -> list[User]:
    """By username, each with the agent record it is linked to."""
    return list(session.scalars(
        select(User).options(joinedload(User.agent)).order_by(User.username)))


def find_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def scorecards(session: Session) -> list[Scorecard]:
    """The newest first."""
    return list(session.scalars(select(Scorecard).order_by(Scorecard.created_at.desc())))


def find_scorecard(session: Session, scorecard_id: int) -> Scorecard | None:
    return session.get(Scorecard, scorecard_id)


def agent_by_external_id(session: Session, external_id: str) -> Agent | None:
    return session.scalar(select(Agent).where(Agent.external_id == external_id))


def queue_by_name(session: Session, name: str) -> Queue | None:
    return session.scalar(select(Queue).where(Queue.name == name))

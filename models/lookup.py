"""Get-or-create helpers for reference rows. They flush, never commit."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callqa.models.call import Agent, Queue
from callqa.models.score import Scorecard


def agent_for(session: Session, external_id: str, name: str | None) -> Agent:
    agent = session.scalar(select(Agent).where(Agent.external_id == external_id))
    if agent is None:
        agent = _insert_or_fetch(session, Agent(external_id=external_id, name=name or ""),
                                 select(Agent).where(Agent.external_id == external_id))
    if name and agent.name != name:
        agent.name = name
    return agent


def queue_for(session: Session, name: str) -> Queue:
    queue = session.scalar(select(Queue).where(Queue.name == name))
    if queue is None:
        queue = _insert_or_fetch(session, Queue(name=name), select(Queue).where(Queue.name == name))
    return queue


def scorecard_for(session: Session, name: str, version: str, source: str) -> Scorecard:
    """The row for this exact scorecard version, added the first time it is used."""
    query = select(Scorecard).where(Scorecard.name == name, Scorecard.version == version)
    return session.scalar(query) or _insert_or_fetch(
        session, Scorecard(name=name, version=version, source=source), query)


def _insert_or_fetch(session: Session, row, query):
    """Insert `row`; if another process inserted the same key first, return theirs."""
    try:
        with session.begin_nested():
            session.add(row)
        return row
    except IntegrityError:
        return session.scalars(query).one()

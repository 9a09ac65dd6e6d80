"""`callqa team ...`: teams of agents and the supervisors who see only their calls."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

import click
from sqlalchemy.orm import Session

from callqa.cli.context import App, pass_app
from callqa.services import teams as service

T = TypeVar("T")


@click.group("team")
def team_group() -> None:
    """Teams: a supervisor given teams sees only their agents' calls (given none: all)."""


def _run(app: App, change: Callable[[Session], T]) -> T | None:
    with app.sessions.begin() as session:
        outcome = service.change_team(session, change)
    if outcome.refused is not None:
        raise click.ClickException(str(outcome.refused)) from outcome.refused
    return outcome.result


@team_group.command("create")
@click.argument("name")
@pass_app
def create(app: App, name: str) -> None:
    """Make a team."""
    _run(app, lambda session: service.create_team(session, name))
    click.echo(f"created team {name.strip()}")


@team_group.command("add-agent")
@click.argument("team")
@click.argument("agent_ids", nargs=-1, required=True)
@pass_app
def add_agent(app: App, team: str, agent_ids: tuple[str, ...]) -> None:
    """Put agents (their ids as in the call metadata) in TEAM, out of any other team."""
    for agent_id in agent_ids:
        before = _run(app, partial(service.add_agent, team_name=team,
                                   agent_external_id=agent_id))
        moved = f" (moved from {before.name})" if before is not None else ""
        click.echo(f"agent {agent_id} is in team {team}{moved}")


@team_group.command("remove-agent")
@click.argument("team")
@click.argument("agent_id")
@pass_app
def remove_agent(app: App, team: str, agent_id: str) -> None:
    """Take an agent out of TEAM."""
    _run(app, lambda session: service.remove_agent(session, team, agent_id))
    click.echo(f"agent {agent_id} is no longer in team {team}")


@team_group.command("give")
@click.argument("team")
@click.argument("username")
@pass_app
def give(app: App, team: str, username: str) -> None:
    """Give TEAM to a supervisor, who then sees only their teams' calls."""
    _run(app, lambda session: service.give_team(session, team, username))
    click.echo(f"{username} supervises team {team}")


@team_group.command("take")
@click.argument("team")
@click.argument("username")
@pass_app
def take(app: App, team: str, username: str) -> None:
    """Take TEAM from a supervisor (with no team left, they see every call again)."""
    _run(app, lambda session: service.take_team(session, team, username))
    click.echo(f"{username} no longer supervises team {team}")


@team_group.command("list")
@pass_app
def list_teams(app: App) -> None:
    """Every team with its agents and supervisors."""
    with app.sessions() as session:
        views = service.teams(session)
        if not views:
            click.echo("no teams")
        for view in views:
            agents = ", ".join(a.external_id for a in view.agents) or "-"
            supervisors = ", ".join(u.username for u in view.supervisors) or "-"
            click.echo(f"{view.team.name}\tagents: {agents}\tsupervisors: {supervisors}")

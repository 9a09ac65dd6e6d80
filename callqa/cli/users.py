"""`callqa create-user`: accounts for the review UI, from the shell."""
from __future__ import annotations

import click

from callqa.cli.context import App, pass_app
from callqa.models import Role
from callqa.services.accounts import ROLES, UserError, check_password_strength, create_user


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--agent-id", help="An agent user's agent id (as in the call metadata).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 12 characters, not a common one nor the user name; "
                   "asked for when not given.")
@pass_app
def create_user_command(
    app: App, username: str, role: str, agent_id: str | None, password: str,
) -> None:
    """Make a user of the review UI: admin, supervisor, or agent (who sees only their calls)."""
    if agent_id and role != Role.AGENT:
        raise click.UsageError("--agent-id is only for --role agent")
    try:
        check_password_strength(password, username)
        with app.sessions.begin() as session:
            user = create_user(session, username, password, role, agent_id)
            linked = f" linked to agent {user.agent.external_id}" if user.agent else ""
            click.echo(f"created {role} {user.username}{linked}")
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    if role == Role.AGENT and not agent_id:
        click.echo("note: not linked to an agent record yet, so no calls are shown; "
                   "link it on the Users page or give --agent-id")

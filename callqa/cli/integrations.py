"""`callqa import surveys`, `callqa tokens ...` and `callqa webhooks deliver`: what other
systems send and get, from the command line."""
from __future__ import annotations

from pathlib import Path

import click

from callqa.cli.context import App, pass_app
from callqa.qa.surveys import SurveyError
from callqa.services import integrations
from callqa.services.surveys import import_surveys
from callqa.services.webhooks import deliver_due


@click.group("import")
def import_group() -> None:
    """Import data about the stored calls."""


@import_group.command("surveys")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def import_surveys_command(app: App, file: Path) -> None:
    """Post-call survey results from a CSV file with a header row of call_id, external_id,
    customer_phone, responded_at, nps, csat, comment (any of them, in any order; comma,
    semicolon or tab separated). A row names its call by call_id (callqa's), external_id
    (the phone system's), or customer_phone with responded_at: the customer's last call in
    CALLQA_SURVEY_WINDOW_S before the answer. Every row is stored or refused on its own;
    refused rows are listed with their reasons."""
    try:
        outcomes = import_surveys(app.sessions, app.settings, file)
    except SurveyError as exc:
        raise click.ClickException(str(exc)) from exc
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        if outcome.status == "refused":
            click.echo(f"line {outcome.line}: refused: {'; '.join(outcome.reasons)}")
    click.echo(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no rows")
    if counts.get("refused"):
        raise SystemExit(1)


@click.group("tokens")
def tokens_group() -> None:
    """API tokens of integrations (also in the web UI: Admin, API tokens)."""


@tokens_group.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True,
              type=click.Choice(integrations.SCOPES), help="Repeatable.")
@click.option("--team", "teams", multiple=True, metavar="TEAM",
              help="See only this team's calls, as a supervisor given it. Repeatable.")
@pass_app
def create_token(app: App, name: str, scopes: tuple[str, ...], teams: tuple[str, ...]) -> None:
    """Make a token and print it (once: only its hash is stored). With --team it sees only
    those teams' calls on every endpoint and uploads only for their agents."""
    with app.sessions.begin() as session:
        try:
            row, token = integrations.create_token(session, name, scopes, teams=teams)
        except integrations.IntegrationError as exc:
            raise click.ClickException(str(exc)) from exc
        given = integrations.token_team_names(row)
        for_teams = f", teams {', '.join(given)}" if given else ""
        click.echo(f"token {row.id} ({row.name}, {', '.join(row.scopes)}{for_teams}): {token}")


@tokens_group.command("list")
@pass_app
def list_tokens(app: App) -> None:
    with app.sessions() as session:
        for row in integrations.tokens(session):
            state = "active" if row.active else f"revoked {row.revoked_at:%Y-%m-%d %H:%M}"
            given = integrations.token_team_names(row)
            teams = f"  teams: {', '.join(given)}" if given else ""
            click.echo(f"{row.id:>4} {row.prefix}…  {row.name}  [{', '.join(row.scopes)}]  "
                       f"{state}{teams}")


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@pass_app
def revoke_token(app: App, token_id: int) -> None:
    with app.sessions.begin() as session:
        row = integrations.find_token(session, token_id)
        if row is None:
            raise click.ClickException(f"no token {token_id}")
        integrations.revoke_token(row)
        click.echo(f"token {row.id} ({row.name}) revoked")


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhook deliveries."""


@webhooks_group.command("deliver")
@pass_app
def deliver(app: App) -> None:
    """Send the deliveries that are due now (a long-lived worker also does)."""
    results = deliver_due(app.sessions, app.settings)
    for result in results:
        note = f": {result.error}" if result.error else ""
        click.echo(f"delivery {result.delivery_id}: {result.status}{note}")
    click.echo(f"{len(results)} sent")

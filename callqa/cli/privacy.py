"""`callqa redact` and `callqa erase`: the redaction policy applied to stored calls, and a
customer's calls erased."""
from __future__ import annotations

import getpass

import click

from callqa.cli.context import App, pass_app
from callqa.qa.redaction.audio import RedactionAudioError
from callqa.services.erasure import ErasureError, erase_customer
from callqa.services.redacting import redact_stored


@click.command("redact")
@click.option("--all", "all_calls", is_flag=True, required=True,
              help="Every stored call (required: the policy applies to all of them).")
@pass_app
def redact_command(app: App, all_calls: bool) -> None:
    """Apply the redaction policy (CALLQA_REDACT) to stored calls: redact what it names in
    their transcripts and recordings, and score changed calls again."""
    click.echo(f"policy: {app.settings.redact}")
    try:
        click.echo(redact_stored(app.sessions, app.settings))
    except RedactionAudioError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("erase")
@click.option("--customer", required=True, metavar="PHONE_OR_ID",
              help="The customer's phone number (any format) or customer id.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def erase_command(app: App, customer: str, yes: bool) -> None:
    """Erase every call of a customer: recordings, transcripts, scores, reviews, FCR links.
    FCR is judged again for calls that counted them; the erasure is recorded without
    personal data."""
    if not yes:
        click.confirm(f"Erase every call of {customer}? This cannot be undone", abort=True)
    try:
        result = erase_customer(app.sessions, app.settings, customer, _who())
    except ErasureError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(result)


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:
        return "cli"

"""`callqa sampling ...`: rules that pick calls for a person's review and assign them."""
from __future__ import annotations

from datetime import date, timedelta

import click
from sqlalchemy import select

from callqa.cli.context import App, pass_app
from callqa.models import AssignMode, SamplingRule, utcnow
from callqa.qa.sampling import week_start
from callqa.services import assignments
from callqa.services.assignments import AssignmentError


@click.group("sampling")
def sampling_group() -> None:
    """Sampling rules: N calls per agent and week at random, plus the critical, in-review and
    disputed ones, assigned to reviewers in turn or by hand."""


@sampling_group.command("add")
@click.argument("name")
@click.option("--team", help="Sample this team's calls.")
@click.option("--queue", help="Sample this queue's calls (instead of a team's).")
@click.option("--per-agent-week", type=click.IntRange(0), default=2, show_default=True,
              help="Calls drawn at random per agent and ISO week.")
@click.option("--seed", type=int, help="Stored, so a run can be repeated (default: random).")
@click.option("--critical/--no-critical", default=True, show_default=True,
              help="Also every call with a failed critical item.")
@click.option("--review/--no-review", "in_review", default=True, show_default=True,
              help="Also every call with items in review.")
@click.option("--disputed/--no-disputed", default=True, show_default=True,
              help="Also every disputed call.")
@click.option("--mode", type=click.Choice([str(m) for m in AssignMode]),
              default=str(AssignMode.ROUND_ROBIN), show_default=True,
              help="round_robin: to the reviewers in turn; manual: assigned by hand.")
@click.option("--reviewer", "reviewers", multiple=True,
              help="A reviewer's user name (repeat for more); needed for round_robin.")
@click.option("--due-days", type=click.IntRange(1), default=7, show_default=True,
              help="Days to review, from the sampling run.")
@pass_app
def add(app: App, name: str, team: str | None, queue: str | None, per_agent_week: int,
        seed: int | None, critical: bool, in_review: bool, disputed: bool, mode: str,
        reviewers: tuple[str, ...], due_days: int) -> None:
    """Make a sampling rule."""
    try:
        with app.sessions.begin() as session:
            rule = assignments.create_rule(
                session, name, team=team, queue=queue, per_agent_week=per_agent_week,
                seed=seed, include_critical=critical, include_review=in_review,
                include_disputed=disputed, mode=AssignMode(mode), due_days=due_days,
                reviewers=reviewers)
            click.echo(f"created rule {rule.name} (seed {rule.seed})")
    except AssignmentError as exc:
        raise click.ClickException(str(exc)) from exc


def _name(row) -> str:
    return row.name if row is not None else "-"


def _week(raw: str | None) -> date:
    """A day of the week to sample; default: last week."""
    if raw is None:
        return week_start(utcnow().date()) - timedelta(days=7)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise click.BadParameter(f"{raw!r}: give a day of the week, e.g. 2026-11-02 "
                                 "(or 2026-W45)") from None


@sampling_group.command("run")
@click.argument("name")
@click.option("--week", help="A day of the ISO week to sample (2026-11-02 or 2026-W45); "
                             "default: last week.")
@pass_app
def run(app: App, name: str, week: str | None) -> None:
    """Sample a week's calls by rule NAME and assign them (again: only what is new)."""
    day = _week(week)
    try:
        with app.sessions.begin() as session:
            rule = assignments.find_rule(session, name)
            result = assignments.run_rule(session, rule, day)
            reasons: dict[str, int] = {}
            for pick in result.picks:
                reasons[str(pick.reason)] = reasons.get(str(pick.reason), 0) + 1
            summary = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
            click.echo(f"week of {result.week}: {len(result.picks)} picked"
                       f"{' (' + summary + ')' if summary else ''}; "
                       f"{len(result.created)} new assignments, {result.unassigned} unassigned")
    except AssignmentError as exc:
        raise click.ClickException(str(exc)) from exc


@sampling_group.command("list")
@pass_app
def list_rules(app: App) -> None:
    """Every rule."""
    with app.sessions() as session:
        rules = list(session.scalars(select(SamplingRule).order_by(SamplingRule.name)))
        if not rules:
            click.echo("no sampling rules")
        for rule in rules:
            over = f"team {rule.team.name}" if rule.team else f"queue {_name(rule.queue)}"
            reviewers = ", ".join(r.user.username for r in rule.reviewers) or "-"
            click.echo(f"{rule.name}\t{over}\t{rule.per_agent_week}/agent/week\t"
                       f"seed {rule.seed}\t{rule.assign_mode}\treviewers: {reviewers}")

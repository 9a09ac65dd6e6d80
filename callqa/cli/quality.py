"""Commands for quality results: re-scoring, accuracy against ground truth, FCR reports."""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from sqlalchemy import select

from callqa.cli.context import App, pass_app
from callqa.models import Call, CallStatus
from callqa.qa.audio import AudioError
from callqa.qa.fcr.ruleset import FcrRulesError
from callqa.qa.metadata import ManifestEntry, MetadataError, read_manifest_entries
from callqa.qa.scoring import ScorecardError
from callqa.qa.transcript import Transcript
from callqa.qa.transcript_file import TranscriptFileError
from callqa.queries.agreement import AgreementFilters, AgreementRow, agreement
from callqa.queries.stats import (
    FCR_GROUPINGS,
    FcrRate,
    FcrTable,
    StatsFilters,
    fcr_rates,
    period_label,
)
from callqa.services import evaluation
from callqa.services.score_store import Rules, rules_for, score_call
from callqa.services.transcribing import load_transcriber

RESCORABLE = (CallStatus.DONE, CallStatus.TRANSCRIBED)


def _rules(app: App, scorecard: Path | None) -> Rules:
    try:
        return rules_for(app.settings, scorecard)
    except (ScorecardError, FcrRulesError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.command()
@click.option("--scorecard", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Score with this YAML scorecard instead of the configured one.")
@click.option("--call", "call_ids", type=int, multiple=True, help="Only this call (repeatable).")
@pass_app
def rescore(app: App, scorecard: Path | None, call_ids: tuple[int, ...]) -> None:
    """Score stored transcripts again (after editing a scorecard), without transcribing."""
    rules = _rules(app, scorecard)
    with app.sessions() as session:
        query = select(Call.id).where(Call.status.in_(RESCORABLE)).order_by(Call.id)
        if call_ids:
            query = query.where(Call.id.in_(call_ids))
        ids = session.scalars(query).all()
    for call_id in ids:
        with app.sessions.begin() as session:
            call = session.get(Call, call_id)
            assert call is not None  # listed above
            score_call(session, call, rules)
            call.status = CallStatus.DONE
            assert call.score is not None and call.fcr is not None  # score_call stored both
            shown = "-" if call.score.score is None else f"{call.score.score:.1f}"
            click.echo(f"call {call_id:6}  score {shown:>5}  fcr {call.fcr.status}")
    click.echo(f"re-scored {len(ids)} calls with scorecard {rules.scorecard.id} "
               f"version {rules.scorecard.version}")


@click.command("eval")
@click.option("--manifest", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reference", is_flag=True, help="Score the reference transcripts, not audio.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--scorecard", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--language", help="Only calls in this language.")
@pass_app
def eval_command(app: App, manifest: Path, reference: bool, as_json: bool,
                 scorecard: Path | None, language: str | None) -> None:
    """Accuracy, precision and recall of every item (and FCR) against a manifest's `expect`:
    recordings are decoded, transcribed and scored exactly as the worker does."""
    rules = _rules(app, scorecard)
    try:
        entries = [e for e in read_manifest_entries(manifest)
                   if not language or e.metadata.language == language]
        scored = [evaluation.assess_entry(e, t, rules) for e in entries
                  if (t := _eval_transcript(app, e, rules, reference)) is not None]
        predictors = evaluation.fcr_predictors(scored, rules.fcr, app.settings.phone_country_code)
    except (MetadataError, TranscriptFileError) as exc:
        raise click.ClickException(str(exc)) from exc
    report = evaluation.evaluate(scored, predictors)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(evaluation.format_report(report))


def _eval_transcript(app: App, entry: ManifestEntry, rules: Rules, reference: bool
                     ) -> Transcript | None:
    if reference:
        return entry.reference_transcript()
    print(f"transcribing {entry.call_id}", file=sys.stderr, flush=True)
    try:
        return evaluation.recognized_transcript(entry, app.settings,
                                                load_transcriber(app.settings), rules.scorecard)
    except AudioError as exc:
        print(f"  skipped {entry.call_id}: {exc}", file=sys.stderr)
        return None


@click.group()
def report() -> None:
    """Reports over the stored calls."""


@report.command("fcr")
@click.option("--by", type=click.Choice(FCR_GROUPINGS), default="agent", show_default=True,
              help="Periods are UTC days, ISO weeks (2026-W45) and months (2026-11), as on "
                   "the dashboard.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First call date.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last call date.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def report_fcr(app: App, by: str, start, end, as_json: bool) -> None:
    """FCR rate by agent, queue or period, with counts (rate = fcr / decided calls); the
    same figures as the dashboard's."""
    with app.sessions() as session:
        table = fcr_rates(session, StatsFilters(_day(start), _day(end)), by)
    rows = _labelled(table)
    if as_json:
        click.echo(json.dumps([_fcr_dict(label, rate) for label, rate in rows],
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"{by:<32}{'calls':>7}{'fcr':>6}{'not_fcr':>9}{'pending':>9}{'rate':>8}")
    for label, rate in rows:
        shown = "-" if rate.rate is None else f"{rate.rate * 100:.1f}%"
        click.echo(f"{label:<32}{rate.calls:>7}{rate.fcr:>6}{rate.not_fcr:>9}"
                   f"{rate.pending:>9}{shown:>8}")


def _labelled(table: FcrTable) -> list[tuple[str, FcrRate]]:
    """Each row with its group's name, then the total."""
    return [(_group_label(table.by, row), row) for row in table.rows] + [("total", table.total)]


def _group_label(by: str, row: FcrRate) -> str:
    group = row.group
    if by == "agent":
        if group.id is None:
            return "(no agent)"
        if group.code is None or group.name == group.code:  # no name: its external id
            return group.name or str(group.id)
        return f"{group.name} ({group.code})"
    if by == "queue":
        return "(no queue)" if group.id is None else group.name or str(group.id)
    return "(no date)" if group.start is None else period_label(group.start, by)


def _fcr_dict(label: str, rate: FcrRate) -> dict[str, object]:
    return {"group": label, "calls": rate.calls, "fcr": rate.fcr, "not_fcr": rate.not_fcr,
            "pending": rate.pending,
            "rate": None if rate.rate is None else round(rate.rate, 4)}


@report.command("agreement")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First call date.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last call date.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def report_agreement(app: App, start, end, as_json: bool) -> None:
    """How often people kept the machine's passed/failed verdicts they reviewed, per item and
    language (overrides and accepted disputes are disagreements; see callqa.queries.agreement)."""
    with app.sessions() as session:
        result = agreement(session, AgreementFilters(_day(start), _day(end)))
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{'item':<24}{'language':<10}{'reviewed':>9}{'kept':>6}{'changed':>9}"
               f"{'agreement':>11}")
    for item in result.by_item:  # each item's languages, then the item over all of them
        for row in [r for r in result.rows if r.item_id == item.item_id] + [item]:
            click.echo(_agreement_line(row))
    for row in [*result.by_language, result.total]:
        click.echo(_agreement_line(row))


def _agreement_line(row: AgreementRow) -> str:
    rate = "-" if row.rate is None else f"{row.rate * 100:.1f}%"
    return (f"{row.item_id:<24}{row.language:<10}{row.reviewed:>9}{row.kept:>6}"
            f"{row.changed:>9}{rate:>11}")


def _day(value) -> date | None:
    return value.date() if value else None

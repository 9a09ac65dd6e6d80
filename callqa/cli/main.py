"""The `callqa` command. Each command owns its sessions and commits."""
from __future__ import annotations

import functools
import logging
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select

from callqa.cli.context import App, pass_app
from callqa.cli.progress import ProgressBar
from callqa.cli.signals import stop_child, stop_on_signals
from callqa.models import Call, Queue, Role, User, WorkerKind
from callqa.models.db import DISCONNECTS, unavailable
from callqa.models.lookup import queue_for
from callqa.qa.metadata import (
    CallMetadata,
    MetadataError,
    read_manifest,
    transcript_metadata,
    validate_metadata,
)
from callqa.qa.transcription import LAYOUTS
from callqa.services.accounts import ensure_user
from callqa.services.ingest import (
    discover_recordings,
    ingest_recording,
    ingest_transcript,
    recording_metadata,
)
from callqa.services.lifetime import die_with_parent
from callqa.services.pool import default_workers, run_pool
from callqa.services.transcribing import load_transcriber
from callqa.services.worker import Worker
from callqa.services.workers import Presence, engine_label
from callqa.settings import InvalidValue, load_settings

SAMPLES = Path(__file__).parents[1] / "samples"
LEMMAS_LOGGER = "callqa.qa.scoring.lemmas"


@click.group()
@click.option("--database-url", envvar="CALLQA_DATABASE_URL", help="SQLAlchemy URL.")
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
@click.pass_context
def main(ctx: click.Context, database_url: str | None, verbose: bool) -> None:
    """callqa: transcribe recorded calls and check their quality."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    # what a first run waits for (the Polish lemma index, once per machine) is shown
    logging.getLogger(LEMMAS_LOGGER).setLevel(logging.DEBUG if verbose else logging.INFO)
    try:
        settings = load_settings().with_overrides(database_url=database_url)
    except InvalidValue as exc:
        raise click.ClickException(str(exc)) from exc
    ctx.obj = App(settings)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_app
def db_upgrade(app: App) -> None:
    """Apply all migrations (every command also does this on start)."""
    click.echo(f"schema up to date: {app.settings.db_url.split('@')[-1]}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSONL file: one call per line with 'file' relative to it.")
@click.option("--transcript", "transcripts", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A call transcribed elsewhere: JSON utterances (speaker/start/end/text), "
                   "or an object with them under 'utterances' or 'timing'. Repeatable.")
@click.option("--agent-id")
@click.option("--agent-name")
@click.option("--customer-phone")
@click.option("--queue")
@click.option("--language", help="Two-letter code, e.g. pl or en; 'auto' to detect.")
@click.option("--layout", type=click.Choice(LAYOUTS))
@click.option("--direction", type=click.Choice(["inbound", "outbound", "internal"]))
@click.option("--started-at", help="ISO 8601 time with offset.")
@click.option("--test-call", is_flag=True,
              help="Mystery-shopper or manager calls: kept out of agents' statistics.")
@pass_app
def ingest(
    app: App, paths: tuple[Path, ...], manifest: Path | None, transcripts: tuple[Path, ...],
    **defaults: Any,
) -> None:
    """Ingest recordings (files or folders) and queue them for processing.

    Metadata comes from a sidecar <recording>.json, or from --manifest, with these
    options as defaults for whatever they leave out. Transcripts are scored at once.
    """
    if not paths and manifest is None and not transcripts:
        raise click.UsageError("give recordings, folders, --manifest or --transcript")
    fallback = _cli_metadata(defaults)
    jobs = [(p, meta.over(fallback)) for p, meta in _manifest_jobs(manifest)]
    jobs += [(p, recording_metadata(p, fallback)) for p in discover_recordings(paths)]
    outcomes = [ingest_recording(app.sessions, app.settings, p, meta) for p, meta in jobs]
    outcomes += [ingest_transcript(app.sessions, app.settings, p, _transcript_metadata(p, fallback))
                 for p in transcripts]
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        call = f"call {outcome.call_id}" if outcome.call_id else "-"
        note = f": {outcome.message}" if outcome.message else ""
        click.echo(f"{outcome.status:9} {call:10} {outcome.source}{note}")
    click.echo(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing")


def _transcript_metadata(path: Path, fallback: CallMetadata) -> CallMetadata:
    try:
        return transcript_metadata(path).over(fallback)
    except MetadataError as exc:
        raise click.ClickException(str(exc)) from exc


def _cli_metadata(options: dict[str, Any]) -> CallMetadata:
    options["test_call"] = options.get("test_call") or None  # unset: the sidecar's says
    started = options.pop("started_at")
    try:
        meta = CallMetadata(
            started_at=datetime.fromisoformat(started) if started else None, **options
        )
        validate_metadata(meta, "command line")
    except (ValueError, MetadataError) as exc:
        raise click.BadParameter(str(exc)) from exc
    return meta


def _manifest_jobs(manifest: Path | None) -> list[tuple[Path, CallMetadata]]:
    if manifest is None:
        return []
    try:
        return list(read_manifest(manifest))
    except MetadataError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.option("--watch", is_flag=True, help="Keep running and poll for new calls.")
@click.option("--poll", default=5.0, show_default=True, help="Seconds between polls (--watch).")
@click.option("--limit", type=int, help="Stop after this many calls.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Worker processes, each claiming calls on its own (default: one per core).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a tty).")
@pass_app
def process(app: App, watch: bool, poll: float, limit: int | None, workers: int | None,
            progress: bool | None) -> None:
    """Transcribe queued calls (and calls a killed worker left behind)."""
    if watch:
        stop_on_signals()  # SIGTERM too hands back the call in work (KeyboardInterrupt)
    show_bar = sys.stderr.isatty() if progress is None else progress
    bar = ProgressBar(enabled=show_bar)
    count = workers or default_workers()
    try:
        if count == 1:
            outcomes = _run_one_worker(app, watch, poll, limit, bar)
        else:  # each worker process reports itself on the Workers page
            backlog = Worker(app.sessions, app.settings, lambda: load_transcriber(app.settings))
            outcomes = run_pool(app.settings, count, backlog.backlog, watch=watch, poll_s=poll,
                                limit=limit, progress=bar.progress())
    except DISCONNECTS as exc:  # a batch stops (a watching worker waits for the database)
        bar.close()
        raise click.ClickException(str(unavailable(app.settings.db_url, exc))) from None
    bar.close()
    for outcome in outcomes:
        if outcome.message:
            click.echo(f"call {outcome.call_id} {outcome.status}: {outcome.message}")
    click.echo(bar.summary())


def _run_one_worker(app: App, watch: bool, poll: float, limit: int | None,
                    bar: ProgressBar) -> list:
    with Presence(app.sessions, WorkerKind.EMBEDDED, engine_label(app.settings),
                  app.settings.heartbeat_s).running() as presence:
        worker = Worker(app.sessions, app.settings, lambda: load_transcriber(app.settings),
                        presence)
        return worker.run(watch=watch, poll_s=poll, limit=limit, progress=bar.progress())


@main.command("worker")
@click.option("--processes", type=click.IntRange(1), help="Worker processes (default: "
              "CALLQA_WORKER_PROCESSES, else cores // CALLQA_CPU_THREADS).")
@click.option("--loglevel", default="info", show_default=True)
@pass_app
def celery_worker(app: App, processes: int | None, loglevel: str) -> None:
    """Run a Celery worker (CALLQA_BROKER_URL) that transcribes and scores the calls sent to
    the broker: one per machine, with a process per core; the model loads in each process."""
    settings = app.settings.with_overrides(worker_processes=processes)
    if not settings.uses_broker:
        raise click.UsageError("callqa worker needs CALLQA_BROKER_URL (redis://… or amqp://…); "
                               "without a broker, run the embedded worker: callqa process --watch")
    try:
        from callqa.services.celery_app import make_celery, oversubscription, worker_processes
    except ImportError as exc:
        raise click.ClickException(f"callqa worker needs Celery, which is not installed ({exc}):"
                                   " pip install 'celery[redis]'") from exc
    problem = oversubscription(settings)
    if problem:
        raise click.UsageError(problem)
    app.engine.dispose()  # no connection of this process may be inherited by the forks
    import socket

    celery = make_celery(settings)
    celery.worker_main([
        "worker", f"--loglevel={loglevel.upper()}", f"--concurrency={worker_processes(settings)}",
        f"--queues={settings.celery_queue}", "--pool=prefork", "--without-mingle",
        f"--hostname=callqa-{os.getpid()}@{socket.gethostname()}",
    ])


@main.command("requeue")
@click.option("--status", "status", type=click.Choice(["failed", "stale"]), required=True,
              help="failed: calls that failed; stale: calls a dead worker left transcribing, "
                   "or queued ones the broker never got.")
@click.option("--call", "call_ids", type=int, multiple=True, help="Only this call (repeatable).")
@pass_app
def requeue_command(app: App, status: str, call_ids: tuple[int, ...]) -> None:
    """Send calls back to the queue (to the broker when CALLQA_BROKER_URL is set)."""
    from callqa.services.dispatch import requeue

    ids = requeue(app.sessions, app.settings, status, list(call_ids) or None)
    where = "the broker" if app.settings.uses_broker else "the queue (callqa process takes them)"
    click.echo(f"{len(ids)} {status} calls sent back to {where}"
               + (f": {', '.join(map(str, ids))}" if ids else ""))


@main.command()
@click.argument("call_id", type=int)
@pass_app
def show(app: App, call_id: int) -> None:
    """Print a call's details and its speaker-labelled timeline."""
    _show_call(app, call_id)


def _show_call(app: App, call_id: int) -> None:
    with app.sessions() as session:
        call = session.get(Call, call_id)
        if call is None:
            raise click.ClickException(f"no call {call_id}")
        for line in _call_header(call) + _quality_lines(call):
            click.echo(line)
        for u in call.utterances:
            click.echo(f"[{_clock(u.start_s)} - {_clock(u.end_s)}] {u.speaker:>8}: {u.text}")


@main.command()
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Serve the review UI afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--new-passwords", is_flag=True, help="Give the demo accounts new passwords.")
@click.pass_context
def demo(ctx: click.Context, serve: bool, host: str, port: int, new_passwords: bool) -> None:
    """Ingest the sample calls shipped with callqa, process them, show the results, make demo
    accounts and serve the review UI. Running it again keeps the calls and the accounts."""
    app: App = ctx.obj
    click.echo(f"database: {app.settings.db_url}")
    ctx.invoke(ingest, paths=(), manifest=SAMPLES / "manifest.jsonl")
    ctx.invoke(process, watch=False, poll=5.0, limit=None, workers=None, progress=None)
    with app.sessions() as session:
        shipped = session.scalars(
            select(Call.id).where(Call.original_filename.in_(_sample_names())).order_by(Call.id)
        ).all()
    for call_id in shipped:
        click.echo("")
        _show_call(app, call_id)
    click.echo("")
    _demo_accounts(app, new_passwords)
    if serve:
        from callqa.cli.serve import serve_ui

        stop_on_signals()
        worker = _worker_beside(app)
        try:
            serve_ui(app.settings, host, port)
        finally:
            stop_child(worker)
            click.echo("worker stopped")
    else:
        click.echo("serve the review UI with: callqa serve")


def _worker_beside(app: App) -> subprocess.Popen:
    """`callqa process --watch` as a child process, for recordings uploaded in the UI; the
    demo stops it when the server stops."""
    click.echo("worker: transcribing uploads as they come (callqa process --watch)")
    return subprocess.Popen(  # the URL in its environment, not its arguments (ps shows those)
        [sys.executable, "-m", "callqa", "process", "--watch", "--poll", "2", "--no-progress"],
        env={**os.environ, "CALLQA_DATABASE_URL": app.settings.db_url},
        # SIGTERM, as `callqa demo` stopping it sends: it releases its claim and stops
        preexec_fn=functools.partial(die_with_parent, os.getpid(), signal.SIGTERM))


# Demo accounts of the review UI: (user name, role, the sample agent an agent user is).
DEMO_ACCOUNTS = (
    ("demo-admin", Role.ADMIN, None),
    ("demo-supervisor", Role.SUPERVISOR, None),
    ("demo-john", Role.AGENT, "A11"),
    ("demo-piotr", Role.AGENT, "A02"),
)


def _demo_accounts(app: App, new_passwords: bool) -> None:
    """Make the demo accounts that are missing, each with a generated password shown now only."""
    click.echo("demo accounts of the review UI:")
    unchanged = False
    with app.sessions.begin() as session:
        for username, role, agent_id in DEMO_ACCOUNTS:
            user, password = ensure_user(session, username, role, agent_id, new_passwords)
            unchanged = unchanged or password is None
            click.echo(f"  {user.username:<16} {_describe_user(user):<30} "
                       f"password: {password or 'unchanged'}")
    if unchanged:
        click.echo("(passwords are shown once, when made; `callqa demo --new-passwords` "
                   "sets new ones)")


def _describe_user(user: User) -> str:
    words: list[str] = [user.role]
    if user.agent is not None:
        words += [user.agent.name or "", f"({user.agent.external_id})"]
    if not user.active:
        words.append("inactive")
    return " ".join(word for word in words if word)


def _sample_names() -> list[str]:
    return [path.name for path, _ in read_manifest(SAMPLES / "manifest.jsonl")]


def _call_header(call: Call) -> list[str]:
    agent = f"{call.agent.name} ({call.agent.external_id})" if call.agent else "-"
    lines = [
        f"call {call.id}  {call.original_filename}  status: {call.status}",
        f"agent: {agent}  customer: {call.customer_phone or '-'}  "
        f"queue: {call.queue.name if call.queue else '-'}  language: {call.language or '-'}",
        f"started: {call.started_at.isoformat() if call.started_at else '-'}  "
        f"duration: {_clock(call.duration_s or 0)}  layout: {call.channel_layout or 'default'}  "
        + _source(call),
    ]
    if call.speakers_known is False:
        lines.append("mono recording: both parties on one track, speakers unknown")
    if call.error:
        lines.append(f"error: {call.error}")
    return lines


def _source(call: Call) -> str:
    if call.source == "transcript":
        return "source: imported transcript (no recording)"
    return (f"audio: {call.container or '?'}/{call.codec or '?'} "
            f"{call.source_sample_rate or '?'} Hz x{call.source_channels or '?'}")


def _quality_lines(call: Call) -> list[str]:
    lines = []
    if call.score is not None:
        score = "-" if call.score.score is None else f"{call.score.score:.1f}"
        flags = " FLAGGED (critical item failed)" if call.score.flagged else ""
        lines.append(f"score: {score}{flags}  scorecard {call.score.scorecard.name} "
                     f"v{call.score.scorecard.version}")
        for item in call.score.items:
            why = item.detail.get("explanation", {}).get("en", "")
            lines.append(f"  {item.verdict:>14}  {item.item_id:<18} {why}")
        if call.score.needs_review:
            lines.append("score pending review: items in review count once a person decides them")
        metrics = call.score.metrics
        def shown(name: str, unit: str = "") -> str:  # None: a mono call cannot tell
            value = metrics.get(name)
            return "n/a (mono)" if value is None else f"{value}{unit}"

        lines.append(f"dead air: {metrics.get('dead_air_seconds', 0)} s  talk ratio agent/customer:"
                     f" {shown('talk_ratio')}  overtalk: {shown('overtalk_seconds', ' s')}"
                     f"  agent words/min: {shown('agent_words_per_minute')}")
    if call.fcr is not None:
        reasons = "; ".join(r["detail"] for r in call.fcr.reasons)
        lines.append(f"FCR: {call.fcr.status}" + (f" ({reasons})" if reasons else "")
                     + f"  window until {call.fcr.window_ends_at:%Y-%m-%d %H:%M} UTC")
    return lines


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:05.2f}"


@main.command("calls")
@click.option("--status", help="Only calls with this status.")
@pass_app
def list_calls(app: App, status: str | None) -> None:
    """List calls with their status (and the reason for failures)."""
    with app.sessions() as session:
        query = select(Call).order_by(Call.id)
        if status:
            query = query.where(Call.status == status)
        for call in session.scalars(query):
            reason = f"  {call.error}" if call.error else ""
            click.echo(f"{call.id:6} {call.status:12} {call.original_filename}{reason}")
        counts = session.execute(select(Call.status, func.count()).group_by(Call.status)).all()
    click.echo(", ".join(f"{n} {s}" for s, n in sorted(counts)) or "no calls")


@main.command("queue")
@click.argument("name")
@click.option("--language", help="Language of this queue's calls, e.g. pl.")
@click.option("--layout", type=click.Choice(LAYOUTS), help="Channel layout of its recordings.")
@pass_app
def set_queue(app: App, name: str, language: str | None, layout: str | None) -> None:
    """Set a queue's default language and channel layout."""
    with app.sessions.begin() as session:
        queue = queue_for(session, name)
        if language is not None:
            queue.language = language or None
        if layout is not None:
            queue.channel_layout = layout
        click.echo(_describe_queue(queue))


def _describe_queue(queue: Queue) -> str:
    return (f"queue {queue.name}: language {queue.language or '-'}, "
            f"layout {queue.channel_layout or 'default'}")


@main.command("scheduler")
@click.option("--once", type=click.Choice(["inbox", "fcr", "retention", "webhooks", "sweep"]),
              help="Run this job once now (under the scheduler lease) and exit.")
@click.option("--settle", default=5.0, show_default=True,
              help="Seconds an inbox file must stay unchanged (--once inbox).")
@pass_app
def run_scheduler(app: App, once: str | None, settle: float) -> None:
    """Run the periodic jobs: inbox ingest, nightly FCR, retention, and with a broker the sweep
    of calls it never got. One process, never inside
    web workers; more instances, also on other machines, stand by and take over."""
    from callqa.services import scheduler

    scheduler.log_progress()
    try:
        if once is None:
            scheduler.serve(app.sessions, app.settings)
        else:
            click.echo(scheduler.run_once(app.sessions, app.settings, once, settle_s=settle))
    except scheduler.JobUnavailable as exc:
        raise click.UsageError(str(exc)) from exc


def _register_more_commands() -> None:
    from callqa.cli.quality import eval_command, report, rescore

    for command in (rescore, eval_command, report):
        main.add_command(command)
    from callqa.cli.sampling import sampling_group
    from callqa.cli.serve import serve_command
    from callqa.cli.teams import team_group
    from callqa.cli.users import create_user_command

    main.add_command(create_user_command)
    main.add_command(serve_command)
    main.add_command(team_group)
    main.add_command(sampling_group)
    from callqa.cli.integrations import import_group, tokens_group, webhooks_group

    for group in (import_group, tokens_group, webhooks_group):
        main.add_command(group)
    from callqa.cli.privacy import erase_command, redact_command

    main.add_command(redact_command)
    main.add_command(erase_command)


_register_more_commands()

"""`callqa scheduler`: the periodic jobs, run by one APScheduler process (never a web worker).

Jobs: `inbox` (every `inbox_interval_s`: ingest and queue settled recordings), `sweep` (as
often, with a broker: send again the calls the broker never got or lost, and those whose
worker died, transcribing or before scoring: `dispatch.sweep`; the embedded worker recovers
those by itself, by the same rule), `webhooks` (as often: retry the
webhook deliveries that are due), `fcr` (nightly: recompute First Call Resolution) and
`retention` (daily: delete expired calls). Any number of
scheduler processes may run, on several machines: each job run first takes or renews the
`scheduler` lease in the database and is skipped without it, so only the holder runs jobs.
A standby keeps trying every tick and takes over once the holder's lease expires
(after 3 ticks without renewal), or at once when the holder stops cleanly.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from callqa.models.db import DISCONNECTS
from callqa.services.dispatch import sweep
from callqa.services.fcr_jobs import recompute_fcr
from callqa.services.inbox import InboxWatcher
from callqa.services.leases import LeaseKeeper
from callqa.services.outages import Outage
from callqa.services.retention import RetentionError, apply_retention, check_retention_period
from callqa.services.webhooks import DeliveryRun, deliver_due
from callqa.settings import Settings

log = logging.getLogger(__name__)

LEASE = "scheduler"
LEASE_TICKS = 3  # a holder silent for this many ticks is presumed dead
DAILY_GRACE_S = 6 * 3600  # a nightly run may start this late (e.g. after a suspend), not later

Sessions = sessionmaker[Session]
JobFactory = Callable[[Sessions, Settings], Callable[[], object]]


class JobUnavailable(Exception):
    """The job cannot run with these settings (e.g. no inbox folder configured)."""


def inbox_job(sessions: Sessions, settings: Settings) -> Callable[[], object]:
    if settings.inbox_dir is None:
        raise JobUnavailable("no inbox folder: set CALLQA_INBOX_DIR")
    return InboxWatcher(sessions, settings, settings.inbox_dir).scan


def fcr_job(sessions: Sessions, settings: Settings) -> Callable[[], object]:
    return lambda: recompute_fcr(sessions, settings)


def retention_job(sessions: Sessions, settings: Settings) -> Callable[[], object]:
    _check_retention_period(settings)
    return lambda: apply_retention(sessions, settings)


def _check_retention_period(settings: Settings) -> None:
    try:
        check_retention_period(settings)
    except RetentionError as exc:
        raise JobUnavailable(str(exc)) from exc


def webhooks_job(sessions: Sessions, settings: Settings) -> Callable[[], object]:
    """Retries of webhook deliveries that failed, also when no worker is watching."""
    return lambda: DeliveryRun(deliver_due(sessions, settings))


def sweep_job(sessions: Sessions, settings: Settings) -> Callable[[], object]:
    if not settings.uses_broker:
        raise JobUnavailable("no broker: set CALLQA_BROKER_URL (the embedded worker needs none)")
    return lambda: sweep(sessions, settings)


JOBS: dict[str, JobFactory] = {"inbox": inbox_job, "fcr": fcr_job, "retention": retention_job,
                               "webhooks": webhooks_job, "sweep": sweep_job}


@dataclass(frozen=True)
class JobSpec:
    name: str
    trigger: BaseTrigger
    misfire_grace_s: int
    run_at_start: bool = False


def tick_s(settings: Settings) -> float:
    """The shortest interval: inbox scans and lease renewals."""
    return settings.inbox_interval_s


def lease_ttl_s(settings: Settings) -> float:
    return LEASE_TICKS * tick_s(settings)


def job_specs(settings: Settings) -> list[JobSpec]:
    """When each job runs; a late run is skipped past its grace time, and missed runs that
    pile up (coalesce) run once."""
    tick = tick_s(settings)
    specs = []
    if settings.inbox_dir is not None:
        specs.append(JobSpec("inbox", IntervalTrigger(seconds=tick), _grace(tick), True))
    else:
        log.info("inbox job off: CALLQA_INBOX_DIR is not set")
    specs.append(JobSpec("webhooks", IntervalTrigger(seconds=tick), _grace(tick)))
    if settings.uses_broker:  # calls the broker never got (down at ingest) are sent again
        specs.append(JobSpec("sweep", IntervalTrigger(seconds=tick), _grace(tick), True))
    specs.append(JobSpec("fcr", CronTrigger(hour=settings.fcr_cron_hour, minute=0),
                         DAILY_GRACE_S))
    specs.append(JobSpec("retention", CronTrigger(hour=settings.retention_cron_hour, minute=0),
                         DAILY_GRACE_S))
    return specs


def _grace(seconds: float) -> int:
    return max(1, round(seconds))


@dataclass(frozen=True)
class JobRun:
    name: str
    ran: bool  # False: another scheduler holds the lease
    result: object = None
    seconds: float = 0.0

    def __str__(self) -> str:
        if not self.ran:
            return f"{self.name}: not run, another scheduler holds the lease"
        outcome = "done" if self.result is None else self.result
        return f"{self.name}: {outcome} ({self.seconds:.2f} s)"


class SchedulerService:
    """The jobs on a BackgroundScheduler, each guarded by the scheduler lease."""

    def __init__(
        self, sessions: Sessions, settings: Settings, jobs: Mapping[str, JobFactory] = JOBS,
        holder: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.jobs = jobs
        self.keeper = LeaseKeeper(sessions, LEASE, lease_ttl_s(settings), holder)
        self.scheduler = BackgroundScheduler()
        watch_events(self.scheduler)
        self._runs: dict[str, Callable[[], object]] = {}
        self.outage = Outage("scheduler")

    @property
    def holder(self) -> str:
        return self.keeper.holder

    def run_now(self, name: str) -> JobRun:
        """Run a job once, if this process holds (or can take) the lease."""
        if not self.keeper.hold():
            log.debug("job %s skipped: standby", name)
            return JobRun(name, ran=False)
        if name not in self._runs:
            self._runs[name] = self.jobs[name](self.sessions, self.settings)
        run = self._runs[name]
        started = time.monotonic()
        result = run()
        job_run = JobRun(name, True, result, time.monotonic() - started)
        log.info("job %s", job_run)
        return job_run

    def start(self) -> None:
        for spec in job_specs(self.settings):
            self._add(spec, self._through_outages(self.run_now), args=[spec.name])
        tick = tick_s(self.settings)
        self._add(JobSpec("lease", IntervalTrigger(seconds=tick), _grace(tick), True),
                  self._through_outages(self.keeper.hold))
        self.scheduler.start()
        log.info("scheduler %s started: %s", self.holder, ", ".join(
            f"{job.id} next at {job.next_run_time:%Y-%m-%d %H:%M:%S}"
            for job in self.scheduler.get_jobs()))

    def _through_outages(self, func: Callable[..., object]) -> Callable[..., object]:
        """`func` as a scheduled run that a database outage skips: one line when the outage
        starts and one when it ends (not a traceback each tick); the next tick tries again."""
        def run(*args: Any) -> object:
            try:
                result = func(*args)
            except DISCONNECTS as exc:
                self.outage.note(exc)
                return None
            self.outage.over()
            return result
        return run

    def stop(self) -> None:
        """Wait for running jobs, then hand the lease over."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        try:
            self.keeper.release()
        except DISCONNECTS as exc:  # the lease expires by itself
            self.outage.note(exc)

    def _add(self, spec: JobSpec, func: Callable[..., object], args: list[Any] | None = None
             ) -> None:
        start: dict[str, datetime] = {}
        if spec.run_at_start:
            start["next_run_time"] = datetime.now(self.scheduler.timezone)
        self.scheduler.add_job(
            func, spec.trigger, args=args, id=spec.name, name=spec.name,
            misfire_grace_time=spec.misfire_grace_s, coalesce=True, max_instances=1, **start,
        )


def watch_events(scheduler: BackgroundScheduler) -> None:
    """Log missed, failed and overlapping runs."""
    scheduler.add_listener(_log_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES)


def _log_event(event: JobExecutionEvent | JobSubmissionEvent) -> None:
    if isinstance(event, JobExecutionEvent) and event.code == EVENT_JOB_MISSED:
        log.warning("missed run of job %s scheduled at %s: later than its misfire grace time",
                    event.job_id, event.scheduled_run_time)
    elif isinstance(event, JobExecutionEvent) and event.code == EVENT_JOB_ERROR:
        first_line = (str(event.exception).splitlines() or [""])[0]  # the traceback is above
        log.error("job %s failed: %s: %s", event.job_id, type(event.exception).__name__,
                  first_line)
    else:
        log.warning("run of job %s skipped: its previous run is still going", event.job_id)


def serve(sessions: Sessions, settings: Settings, stop: threading.Event | None = None) -> None:
    """Run the scheduler until SIGTERM/SIGINT (or `stop` is set); JobUnavailable at once for
    settings a job cannot run with."""
    _check_retention_period(settings)  # a bad retention period stops the start, not a night
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    service = SchedulerService(sessions, settings)
    service.start()
    try:
        while not stop.wait(1.0):
            pass
    finally:
        service.stop()
        log.info("scheduler %s stopped", service.holder)


def run_once(sessions: Sessions, settings: Settings, name: str, settle_s: float = 5.0) -> JobRun:
    """Run one job once under the lease; the inbox is scanned twice, `settle_s` apart."""
    run = JOBS[name](sessions, settings)  # JobUnavailable before anything else
    if name == "inbox":
        run = _settled_scan(run, settle_s)
    service = SchedulerService(sessions, settings, {name: lambda _sessions, _settings: run})
    with _renewing(service.keeper, tick_s(settings)):
        try:
            return service.run_now(name)
        finally:
            service.keeper.release()


def _settled_scan(scan: Callable[[], object], settle_s: float) -> Callable[[], object]:
    def twice() -> object:
        scan()  # only notes what is there: nothing is settled on a first look
        time.sleep(settle_s)
        return scan()
    return twice


class _renewing:
    """Renews the lease in a thread while a long job runs outside the scheduler."""

    def __init__(self, keeper: LeaseKeeper, every_s: float) -> None:
        self.keeper = keeper
        self.every_s = every_s
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> None:
        self._thread.start()

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._done.wait(self.every_s):
            try:
                if self.keeper.held:
                    self.keeper.hold()
            except Exception:  # e.g. the database briefly away: try again next time
                log.exception("renewing lease %r failed", self.keeper.name)


def log_progress() -> None:
    """Show callqa's INFO messages (job runs, lease changes) unless more is shown already."""
    logger = logging.getLogger("callqa")
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)

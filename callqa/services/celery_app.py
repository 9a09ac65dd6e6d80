"""Celery: callqa's task engine once `CALLQA_BROKER_URL` is set (Redis or RabbitMQ).

One task, `callqa.process_call(call_id)`, per call. Long ML work on Celery is configured here,
each setting on purpose (tests/test_celery.py checks them and their effects):

- late acknowledgement (`task_acks_late`) and `task_reject_on_worker_lost`: a task is
  acknowledged only after the call is stored, and a worker process that dies (OOM killer,
  kill -9) puts its task back on the queue for another worker;
- `worker_prefetch_multiplier = 1`: a worker process reserves one call, not four, so a
  backlog spreads over all machines instead of queueing behind a busy one;
- a broker visibility timeout (Redis) longer than the longest task, so Redis never hands a
  call that is still being processed to a second worker; on RabbitMQ (3.12 and later) the
  same allowance asked by each consumer (`x-consumer-timeout`), so the broker's
  `consumer_timeout` (30 min by default) does not close the channel of a long call's worker;
  older RabbitMQ ignores the argument, and its `consumer_timeout` must be raised (README);
- a lost connection does not cancel the running calls
  (`worker_cancel_long_running_tasks_on_connection_loss`): their work goes on and is stored;
  if the broker delivers such a task again meanwhile, the redelivery sees the earlier
  delivery's heartbeat go on and leaves it the call (`Worker.process_call`);
- bounded deliveries: every delivery claims the call in the database and counts an attempt
  there (Redis and RabbitMQ count redeliveries differently, or not at all); after
  `CALLQA_MAX_ATTEMPTS` deliveries whose worker died, the call fails with that reason;
- time limits: a soft limit (the call fails with its reason) and a hard one a minute later;
- a database error retries the task later, under the same task id (backoff up to 5 min);
- the Whisper model is loaded in each worker process after the fork (`worker_process_init`),
  never in the parent: CTranslate2 models are not fork-safe. Database engines likewise.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from celery import Celery, signals
from celery.exceptions import SoftTimeLimitExceeded
from kombu import Exchange, Queue
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from callqa.models import WorkerKind
from callqa.models.db import make_engine, make_session_factory
from callqa.services.score_store import configure_scoring
from callqa.services.transcribing import load_transcriber
from callqa.services.worker import Worker
from callqa.services.workers import Presence, engine_label
from callqa.settings import Settings

log = logging.getLogger(__name__)

TASK = "callqa.process_call"
HARD_LIMIT_MARGIN_S = 60.0  # after the soft limit, the process is killed this much later
VISIBILITY_MARGIN_S = 3600.0  # Redis redelivers an unacknowledged task only this long after
PROCESS_UP_TIMEOUT_S = 120.0  # a new worker process's time to load the model


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery's configuration for callqa's settings."""
    soft = settings.task_soft_limit_s
    hard = soft + HARD_LIMIT_MARGIN_S
    unacknowledged_s = int(hard + VISIBILITY_MARGIN_S)  # the longest a delivery may run
    return {
        "broker_url": settings.broker_url,
        "task_default_queue": settings.celery_queue,
        "task_queues": [task_queue(settings.celery_queue, unacknowledged_s)],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": soft,
        "task_time_limit": hard,
        # Redis: how long a delivered, unacknowledged task waits before redelivery; longer
        # than any task may run (RabbitMQ has none: it redelivers when the consumer is gone).
        "broker_transport_options": {"visibility_timeout": unacknowledged_s},
        # a lost broker connection leaves the running calls running: their results are in
        # the database, and a redelivery meanwhile finds them still worked on
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "task_ignore_result": True,  # results live in the database
        "task_serializer": "json",
        "accept_content": ["json"],
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 4.0,
        "worker_concurrency": worker_processes(settings),
        "worker_max_tasks_per_child": None,  # the model stays loaded
        # a new worker process loads the model before it reports up (worker_process_init);
        # on a busy machine that takes longer than Celery's 4 s, which killed and respawned
        # the replacement of a dead process again and again, none ever up
        "worker_proc_alive_timeout": PROCESS_UP_TIMEOUT_S,
        "worker_send_task_events": False,
        "worker_enable_remote_control": True,  # `celery inspect`
    }


def task_queue(name: str, unacknowledged_s: int) -> Queue:
    """The queue as Celery declares it by default (a durable queue bound to a direct exchange
    of the same name, so an existing one is declared equivalently), its consumers asking
    RabbitMQ (3.12 and later) to wait `unacknowledged_s` for an acknowledgement; a consumer
    argument, not a queue argument: a queue declared before with other arguments would be
    refused (PRECONDITION_FAILED). Redis ignores it (its `visibility_timeout` does the same)."""
    return Queue(name, Exchange(name, type="direct"), routing_key=name,
                 consumer_arguments={"x-consumer-timeout": unacknowledged_s * 1000})


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_processes(settings: Settings) -> int:
    """`CALLQA_WORKER_PROCESSES`, or as many as fit the cores at `CALLQA_CPU_THREADS` each."""
    return settings.worker_processes or max(1, available_cores() // max(1, settings.cpu_threads))


def oversubscription(settings: Settings) -> str | None:
    """Why these processes and threads do not fit this machine's cores, or None."""
    processes, threads, cores = worker_processes(settings), settings.cpu_threads, available_cores()
    if processes * threads <= cores:
        return None
    return (f"{processes} worker processes x {threads} CPU threads each is more than the "
            f"{cores} cores of this machine: Whisper is CPU-bound, so they would only slow "
            "each other down (set CALLQA_WORKER_PROCESSES or CALLQA_CPU_THREADS lower)")


def make_celery(settings: Settings) -> Celery:
    app = Celery("callqa", set_as_current=False)
    app.conf.update(celery_config(settings))
    _register_tasks(app, settings)
    return app


@dataclass
class _ProcessState:
    worker: Worker
    presence: Presence
    sessions: sessionmaker[Session]
    pid: int


_state: _ProcessState | None = None


def _register_tasks(app: Celery, settings: Settings) -> None:
    # The database away (a restart, a failover): the task is tried again later, under the same
    # task id, so its claim, if it took one, is its own to take over; never dropped, or the
    # call would wait `queued` with nobody to send it.
    @app.task(name=TASK, bind=True, shared=False, autoretry_for=(SQLAlchemyError,),
              retry_backoff=5, retry_backoff_max=300, max_retries=None)
    def process_call(task, call_id: int) -> str | None:
        state = _process_state(settings)
        outcome = state.worker.process_call(call_id, task.request.id)
        return None if outcome is None else str(outcome.status)

    def init_process(**_kwargs: Any) -> None:
        _process_state(settings)

    def shutdown_process(**_kwargs: Any) -> None:
        if _state is not None:
            _state.presence.stop()

    signals.worker_process_init.connect(init_process, weak=False)
    signals.worker_process_shutdown.connect(shutdown_process, weak=False)


def _process_state(settings: Settings) -> _ProcessState:
    """This worker process's model, database engine and presence, made once, after the fork."""
    global _state
    if _state is None or _state.pid != os.getpid():
        configure_scoring(settings)
        sessions = make_session_factory(make_engine(settings.db_url))
        transcriber = load_transcriber(settings)
        log.info("worker process %s: model %s loaded", os.getpid(), transcriber.info.model)
        presence = Presence(sessions, WorkerKind.CELERY, engine_label(settings),
                            settings.heartbeat_s).start()
        worker = Worker(sessions, settings, lambda: transcriber, presence,
                        time_limit_errors=(SoftTimeLimitExceeded,))
        _state = _ProcessState(worker, presence, sessions, os.getpid())
    return _state

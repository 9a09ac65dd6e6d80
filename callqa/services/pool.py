"""Several workers on one machine: one process each, every one claiming calls on its own.

Processes rather than threads in one process: one single-threaded worker per core measured
about twice the throughput of one worker running two threads (README, "Measured figures").
Each child loads its own model after it starts (spawned, so nothing is shared or forked
mid-state) and reports its outcomes to the parent, which draws one progress for all.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
from collections.abc import Callable
from typing import Any

from callqa.models import WorkerKind
from callqa.models.db import make_engine, make_session_factory
from callqa.services.lifetime import die_with_parent
from callqa.services.score_store import configure_scoring
from callqa.services.transcribing import load_transcriber
from callqa.services.worker import Outcome, Progress, Worker
from callqa.services.workers import Presence, engine_label
from callqa.settings import Settings

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 30.0  # a stopped worker has this long to give its call back, then is killed


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_pool(settings: Settings, workers: int, backlog: Callable[[], tuple[int, float]],
             watch: bool = False, poll_s: float = 5.0, limit: int | None = None,
             progress: Progress | None = None) -> list[Outcome]:
    """Run `workers` worker processes until none finds a call (or forever with `watch`);
    `limit` calls in all, shared out among them. The outcomes in the order they came."""
    progress = progress or Progress()
    waiting, audio_s = backlog()
    progress.on_start(waiting, audio_s)
    if limit is not None:
        workers = max(1, min(workers, limit))
    if not watch:  # no more models than calls (one still retakes any stale claim)
        workers = max(1, min(workers, waiting))
    shares = _shares(limit, workers)
    context = multiprocessing.get_context("spawn")
    outcomes: Any = context.Queue()
    children = [
        context.Process(target=_work, name=f"callqa-worker-{i}",
                        args=(settings, watch, poll_s, share, outcomes,
                              logging.getLogger().getEffectiveLevel(), os.getpid()))
        for i, share in enumerate(shares)
    ]
    for child in children:
        child.start()
    try:
        _collect(children, outcomes, progress)
    except BaseException:  # stopped (SIGINT, or SIGTERM made an interrupt): so are the workers
        _interrupt(children)
        raise
    finally:
        for child in children:
            child.join(STOP_TIMEOUT_S)
            if child.is_alive():
                child.kill()
                child.join()
    failed = [c.name for c in children if c.exitcode not in (0, None)]
    if failed:
        log.warning("worker processes ended with an error: %s", ", ".join(failed))
    return progress.outcomes


def _interrupt(children: list) -> None:
    """SIGINT to each worker still running: it gives its call back to the queue and ends
    (a SIGTERM sent to the parent alone would otherwise leave the workers watching)."""
    for child in children:
        if child.is_alive() and child.pid is not None:
            os.kill(child.pid, signal.SIGINT)


def _shares(limit: int | None, workers: int) -> list[int | None]:
    if limit is None:
        return [None] * workers
    return [limit // workers + (1 if i < limit % workers else 0) for i in range(workers)]


def _collect(children: list, outcomes: Any, progress: Progress) -> None:
    running = len(children)
    while running:
        try:
            item = outcomes.get(timeout=1.0)
        except queue.Empty:
            if not any(child.is_alive() for child in children):
                break  # a child died without saying so; its claim goes stale and is retaken
            continue
        if item is None:
            running -= 1
            continue
        progress.outcomes.append(item)
        progress.on_outcome(item)


def _work(settings: Settings, watch: bool, poll_s: float, limit: int | None, outcomes: Any,
          log_level: int, parent_pid: int) -> None:
    """One worker process: its own database engine and model."""
    die_with_parent(parent_pid)  # calls its workers held go stale and are retaken
    logging.basicConfig(level=log_level, format="%(levelname)s %(name)s: %(message)s")
    try:
        configure_scoring(settings)
        engine = make_engine(settings.db_url)
        sessions = make_session_factory(engine)
        with Presence(sessions, WorkerKind.EMBEDDED, engine_label(settings),
                      settings.heartbeat_s).running() as presence:
            worker = Worker(sessions, settings, lambda: load_transcriber(settings), presence)
            worker.run(watch=watch, poll_s=poll_s, limit=limit,
                       progress=Progress(on_outcome=outcomes.put))
        engine.dispose()
    except KeyboardInterrupt:
        pass  # the worker has released its claim
    finally:
        outcomes.put(None)

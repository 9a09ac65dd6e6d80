"""Worker processes report themselves in the database: a row per process, refreshed every
heartbeat, with what it has taken up and finished. The admin's Workers page reads it
(callqa/queries/workers.py)."""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from callqa.models import WorkerKind, WorkerProcess, utcnow
from callqa.qa.transcription import EngineInfo
from callqa.services.leases import new_holder_id
from callqa.settings import Settings

log = logging.getLogger(__name__)


def engine_label(settings: Settings) -> str:
    """What a worker transcribes with, for the Workers page: the configured engine and model,
    labelled as a loaded engine's EngineInfo is (known before the model loads), and how it
    runs."""
    engine = EngineInfo(engine=settings.engine, model=settings.whisper_model)
    return f"{engine.label} {settings.compute_type} x{settings.cpu_threads} threads"


class Presence:
    """One worker process's row: made on `start`, seen every `heartbeat_s` by a thread."""

    def __init__(self, sessions: sessionmaker[Session], kind: WorkerKind, engine: str | None,
                 heartbeat_s: float) -> None:
        self.sessions = sessions
        self.kind = kind
        self.engine = engine
        self.heartbeat_s = heartbeat_s
        self.id = new_holder_id()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Presence:
        now = utcnow()
        host, pid, _tag = self.id.split(":")
        with self.sessions.begin() as session:
            session.add(WorkerProcess(id=self.id, host=host, pid=int(pid), kind=self.kind,
                                      engine=self.engine, started_at=now, last_seen_at=now,
                                      deliveries=0, calls_done=0))
        self._thread = threading.Thread(target=self._beat, name="callqa-presence", daemon=True)
        self._thread.start()
        return self

    @contextmanager
    def running(self) -> Iterator[Presence]:
        """Seen for the block, and stopped however it ends: also when a stop signal lands
        while the row is being written (it may wait on a busy database), which would
        otherwise leave the row looking alive."""
        try:
            yield self.start()
        finally:
            self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._update(stopped_at=utcnow(), current_call_id=None)

    def took(self, call_id: int) -> None:
        """A delivery (or claim) of this call is being handled."""
        self._update(deliveries=WorkerProcess.deliveries + 1, current_call_id=call_id)

    def finished(self, call_id: int, stored: bool) -> None:
        """Done with the call; `stored`: this process stored its result."""
        values: dict = {"current_call_id": None}
        if stored:
            values["calls_done"] = WorkerProcess.calls_done + 1
        self._update(**values)

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            try:
                self._update()
            except Exception:  # the database briefly away: seen again next beat
                log.exception("worker %s: heartbeat failed", self.id)

    def _update(self, **values) -> None:
        with self.sessions.begin() as session:
            session.execute(update(WorkerProcess).where(WorkerProcess.id == self.id)
                            .values(last_seen_at=utcnow(), **values)
                            .execution_options(synchronize_session=False))

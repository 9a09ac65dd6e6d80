"""A database outage as a long-lived process (the worker, the scheduler) lives through it:
one line when it starts, one when it ends, and a growing wait between tries (1 s, 2 s, 4 s …
up to a minute), where the driver's traceback killed the worker at the first blip."""
from __future__ import annotations

import logging
import threading
import time

from callqa.models.db import driver_reason

log = logging.getLogger(__name__)


class Outage:
    def __init__(self, who: str, first_wait_s: float = 1.0, max_wait_s: float = 60.0) -> None:
        self.who, self.first_wait_s, self.max_wait_s = who, first_wait_s, max_wait_s
        self._lock = threading.Lock()
        self._since: float | None = None
        self._wait_s = first_wait_s

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    def note(self, exc: BaseException) -> float:
        """A try failed with `exc`: logged if it starts an outage. Returns how long to wait
        before the next try."""
        with self._lock:
            if self._since is None:
                self._since, self._wait_s = time.monotonic(), self.first_wait_s
                log.warning("%s: database unavailable (%s); retrying until it is back",
                            self.who, _reason(exc))
            wait_s = self._wait_s
            self._wait_s = min(self._wait_s * 2, self.max_wait_s)
            return wait_s

    def over(self) -> None:
        """A try succeeded: logged if it ends an outage."""
        with self._lock:
            if self._since is not None:
                log.warning("%s: database back after %.0f s", self.who,
                            time.monotonic() - self._since)
                self._since = None


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {driver_reason(exc)}"

"""A claimed call's heartbeat, sent from a timer while the call is in work.

Heartbeats sent only when Whisper produced a segment left a live worker silent through a long
stretch without speech (and through decoding, the second look and scoring): it was declared
dead, its call taken over twice and failed with a false reason. The timer beats on its own
thread, in its own short transactions, whatever the work is doing."""
from __future__ import annotations

import threading
from types import TracebackType

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.claims import Claim, heartbeat
from callqa.services.outages import Outage


class HeartbeatTimer:
    """`with HeartbeatTimer(...) as beat:` beats for `claim` every `every_s` until the block
    ends. `lost` turns true once another worker owns the call; the work asks `beat.lost` at
    its checkpoints and stops. A beat the database refuses (an outage) is logged and the next
    one tried (one line per outage): the claim stays ours while the database is gone, as
    nobody can take it."""

    def __init__(self, sessions: sessionmaker[Session], claim: Claim, every_s: float) -> None:
        self.sessions, self.claim, self.every_s = sessions, claim, every_s
        self.lost = False
        self._outage = Outage(f"heartbeat of call {claim.call_id}")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"heartbeat-call-{claim.call_id}")

    def __enter__(self) -> HeartbeatTimer:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                with self.sessions.begin() as session:
                    if not heartbeat(session, self.claim):
                        self.lost = True
                        return
            except SQLAlchemyError as exc:  # tried again at the next beat
                self._outage.note(exc)
            else:
                self._outage.over()

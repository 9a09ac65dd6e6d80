"""Stopping long-running commands (serve, demo, process --watch) on SIGINT and SIGTERM.

Started in the background by a shell without job control (`bash scripts/demo.sh &`), a
process inherits SIGINT ignored, so Ctrl+C's signal did nothing; SIGTERM's default ends
Python at once, without the cleanup that stops children and hands back a claimed call.
Both now raise KeyboardInterrupt in the main thread, which every such command handles."""
from __future__ import annotations

import signal
import subprocess
from types import FrameType


def stop_on_signals() -> None:
    """SIGINT and SIGTERM raise KeyboardInterrupt (from the main thread only)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    # the same signal again while stopping is not another interrupt in the cleanup
    signal.signal(signum, signal.SIG_IGN)
    raise KeyboardInterrupt(signal.Signals(signum).name)


def stop_child(child: subprocess.Popen, timeout_s: float = 30.0) -> int:
    """SIGTERM to a child process, then its exit code; killed if it is not gone in time."""
    if child.poll() is None:
        child.terminate()
    try:
        return child.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        child.kill()
        return child.wait()

"""Child processes that do not outlive their parent: a killed `callqa process` or `callqa
demo` (SIGKILL, no chance to stop its children) leaves no worker running on its own."""
from __future__ import annotations

import ctypes
import os
import signal

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h)


def die_with_parent(parent_pid: int, sig: int = signal.SIGKILL) -> None:
    """Have the kernel send `sig` to this process when its parent dies; run in the child,
    first thing (or as a Popen preexec_fn: the setting survives exec). Not Linux: nothing,
    a child then ends its run on its own."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, sig)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)

"""A full disk, for tests: a limit on the size of the files a process writes (RLIMIT_FSIZE).
A write past it fails with EFBIG, as one on a full disk fails with ENOSPC (Python ignores the
SIGXFSZ signal that would otherwise kill the process)."""
from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """This process writes no file past `limit` bytes while inside."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def limit_file_size(limit: int):
    """For subprocess's preexec_fn: the child writes no file past `limit` bytes."""
    def limit_child() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    return limit_child

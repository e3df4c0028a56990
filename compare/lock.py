"""An advisory lock on a file beside the index (``INDEX.lock``), so one run writes the index at a time.

``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows. The lock file is
created once and never removed (removing it would let two runs lock two
different files). The lock is released when the holder exits, even by kill -9.
"""
from __future__ import annotations

import errno
import os
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import IndexProblem

POLL = 0.05  # seconds between attempts while another run holds the lock


def lock_path(index: Path) -> Path:
    return Path(str(index) + ".lock")


@contextmanager
def locked(index: Path, timeout: float):
    """Hold the index's lock; wait up to ``timeout`` seconds for it, then raise IndexProblem."""
    path = lock_path(index)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        what = "disk full" if exc.errno == errno.ENOSPC else exc.strerror
        raise IndexProblem(f"cannot create the index lock file ({what})", str(path)) from None
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise IndexProblem(f"locked by another compare run; waited {timeout:g} s, try again when it has "
                                   "finished", str(index))
            time.sleep(POLL)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


try:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

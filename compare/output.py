"""Writing outputs without ever destroying a user's file.

The rules follow ``sort -o`` and ``cp``:

- a new path, or an existing regular file, is written atomically: the text goes
  to a temporary file beside it, which is renamed into place, so a failure
  never leaves half a file, and an overwritten file keeps its permissions;
- a symlink is followed: its target is what gets written, and the link stays;
- a character device (``/dev/null``, ``/dev/stdout``) or a FIFO is written
  directly, never replaced;
- anything else (a directory, a socket, a dangling symlink), and any path that
  is read by the command (a plan, --meta, --decisions), is refused with :class:`BadArgument` before
  anything is written.

Overwriting an earlier report is fine; overwriting a plan being read is not.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import BadArgument, CompareError

def _identity(path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "disk full"
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long"
    return exc.strerror or exc.__class__.__name__


def check_target(path: str | os.PathLike, inputs=()) -> Path:
    """The real path that writing ``path`` would write; raises BadArgument if it must not be written."""
    try:
        return _check_target(path, inputs)
    except OSError as exc:  # e.g. a name too long to stat
        raise BadArgument(f"cannot write ({_why(exc)})", str(path)) from None


def _check_target(path, inputs) -> Path:
    given = str(path)
    target = Path(path)
    if target.is_symlink():
        real = Path(os.path.realpath(target))
        if not real.exists():
            raise BadArgument("is a symlink to a missing file; not writing through it", given)
        target = real
    ident = _identity(target)
    if ident is not None and ident in {_identity(p) for p in inputs}:
        raise BadArgument("is read by this command (a plan, --meta or --decisions); refusing to overwrite it", given)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target
    if stat.S_ISDIR(st.st_mode):
        raise BadArgument("is a directory; give a file name", given)
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        raise BadArgument("is not a regular file, character device or FIFO; refusing to replace it", given)
    return target


def into_folder(given: str, file_name: str) -> str:
    """``given``, or ``given/file_name`` where it names a folder: an existing one, or a path ending in a slash."""
    if given.endswith(("/", os.sep)) or os.path.isdir(given):
        return os.path.join(given, file_name)
    return given


def check_targets(paths, inputs=()) -> None:
    """Refuse, before any work is done, outputs that must not be written (see :func:`check_target`)."""
    for path in paths:
        check_target(path, inputs)


def write_outputs(outputs: list[tuple[str | os.PathLike, str | bytes]], inputs=()) -> list[Path]:
    """Write each ``(path, text)`` as UTF-8 (bytes as they are), after checking every path; returns the paths as given.

    Two outputs to one file are refused, so the second never silently replaces the first.
    """
    targets = [check_target(path, inputs) for path, _ in outputs]
    seen: dict = {}
    for (path, _), target in zip(outputs, targets):
        if _is_device(target):
            continue  # /dev/null twice is fine
        key = _identity(target) or os.path.abspath(target)
        if key in seen:
            raise BadArgument(f"is given for two outputs ({seen[key]} too); they would overwrite each other", str(path))
        seen[key] = str(path)
    for (path, text), target in zip(outputs, targets):
        _write(target, text, str(path))
    return [Path(p) for p, _ in outputs]


def write_output(path: str | os.PathLike, text: str, inputs=()) -> Path:
    """Write one output; see :func:`write_outputs`."""
    return write_outputs([(path, text)], inputs)[0]


def _is_device(target: Path) -> bool:
    """A character device or FIFO: written in place, never replaced."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _write(target: Path, text: str | bytes, given: str) -> None:
    try:
        if _is_device(target):
            with _open(target, "w", text) as fh:
                fh.write(text)
            return
        _replace_atomically(target, text)
    except OSError as exc:
        raise CompareError(f"cannot write ({_why(exc)})", given) from None


def _open(path, mode: str, text: str | bytes):
    if isinstance(text, bytes):
        return open(path, mode + "b")
    return open(path, mode, encoding="utf-8", newline="\n")


def _replace_atomically(target: Path, text: str | bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask  # mkstemp makes 0600; a report is an ordinary file
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:200]}.", suffix=".tmp", dir=target.parent)
    try:
        with _open(fd, "w", text) as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise

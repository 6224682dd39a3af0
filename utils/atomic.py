"""Atomic file writes (lessons: Q3.2 "why utils.save_checkpoint does more").

A crash, a full disk or Ctrl-C half-way through a plain ``open(path, "wb")`` leaves a
truncated file under the real name. Writing to a temporary file in the same folder and
then moving it into place is atomic on POSIX and Windows: readers see the old file or
the complete new one, never a half-written one.

The temporary file is named ``.<name>.hw08-<pid>-<random>.tmp``. A writer killed before
it could clean up (``kill -9``, a power cut) leaves one behind; the next write into that
folder removes it once its writer is gone (:func:`remove_stale_temporaries`).

Only the standard library is used, so this module can be loaded on its own.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

#: ``.<target name>.hw08-<writer pid>-<random>.tmp``
TEMPORARY_PATTERN = re.compile(r"^\.(?P<target>.+)\.hw08-(?P<pid>\d+)-(?P<token>[0-9a-f]+)\.tmp$")

#: A temporary file this old is stale whoever wrote it (a writer on another machine sharing
#: the folder, or a platform where a process cannot be probed).
STALE_AFTER_SECONDS = 24 * 3600


def temporary_name(path: Path) -> Path:
    """A fresh temporary path beside ``path`` that :data:`TEMPORARY_PATTERN` recognises."""
    return path.with_name(f".{path.name}.hw08-{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _process_is_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


def remove_stale_temporaries(folder: str | os.PathLike[str], now: float | None = None) -> list[Path]:
    """Delete the temporary files of writes that were killed half-way; return what was removed.

    Only names matching :data:`TEMPORARY_PATTERN` are considered, and only when their writer
    (the pid in the name) is no longer running on this machine, or when they are older than
    :data:`STALE_AFTER_SECONDS`. A write still in progress is never touched. Problems
    (a folder that cannot be listed, a file removed meanwhile) are ignored: cleaning up is
    a courtesy, never a reason to fail.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = TEMPORARY_PATTERN.match(entry.name)
        if match is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_SECONDS
            if old or not _process_is_running(int(match["pid"])):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _claim(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` only if ``path`` does not exist, atomically against other writers.

    A hard link fails if the name is taken, whoever took it and whenever. Where the file
    system has no hard links, an exclusive create claims the name, then ``os.replace`` fills it.
    """
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        os.replace(tmp, path)
    else:
        tmp.unlink()


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], overwrite: bool = True) -> Iterator[BinaryIO]:
    """Open a temporary binary file beside ``path``; on success, fsync and move it into place.

    If the ``with`` block raises, the temporary file is removed and ``path`` is untouched.
    With ``overwrite=False`` the move fails with :class:`FileExistsError` if ``path`` exists
    by then, even if another process created it while this one was writing.
    The new file gets the usual permissions (``0o666`` minus the umask). Stale temporary
    files of killed writers in the same folder are removed first.

    Raises:
        FileExistsError: ``overwrite`` is false and ``path`` exists.
        OSError: the folder is not writable, the disk is full, ... (from the OS, with its errno).
    """
    path = Path(path)
    remove_stale_temporaries(path.parent)
    tmp = temporary_name(path)
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o666)  # minus the umask
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            _claim(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

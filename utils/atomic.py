"""Atomic file writes (lessons: Q3.2 "why utils.save_checkpoint does more").

A crash, a full disk or Ctrl-C half-way through a plain ``open(path, "wb")`` leaves a
truncated file under the real name. Writing to a temporary file in the same folder and
then ``os.replace``-ing it is atomic on POSIX and Windows: readers see the old file or
the complete new one, never a half-written one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Open a temporary binary file beside ``path``; on success, fsync and move it into place.

    If the ``with`` block raises, the temporary file is removed and ``path`` is untouched.
    The new file gets the usual permissions (``0o666`` minus the umask).
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

"""What the student's code did with the files in a folder: which it read, and what was left when it deleted one.

A check cannot see inside a function that saves a file and loads it again, but it can watch
the file system while the function runs. :func:`watching` records

* the files of the folder that were opened for reading (Python's ``open`` audit event, and
  PyTorch's zip reader, which ``torch.load`` and ``torch.export.load`` use), and that were
  written (``open`` for writing, ``os.replace``/``os.rename``/``os.link``, PyTorch's zip writer);
* for each file deleted (``os.remove``/``os.unlink``/``Path.unlink``), the names the folder
  held at that moment.

It holds against any alias of ``torch.load`` or ``os.remove`` the student imported, since it
watches the events, not the names.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch


@dataclass
class FileActivity:
    """What happened in the watched folder (file names, in order)."""

    folder: Path
    read: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    #: (name deleted, names in the folder just before the deletion)
    deleted: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def observed_writes(self) -> bool:
        """Whether a write was seen at all (if not, reads may simply be invisible on this platform)."""
        return bool(self.written)


_WATCHES: list[FileActivity] = []
_busy = threading.local()


def _name_in(activity: FileActivity, path: Any) -> str | None:
    if isinstance(path, int) or path is None:
        return None
    try:
        resolved = Path(os.fsdecode(path)).resolve()
    except (TypeError, ValueError, OSError):
        return None
    return resolved.name if resolved.parent == activity.folder else None


def _record(event: str, args: tuple) -> None:
    for activity in _WATCHES:
        if event == "open":
            path, mode, flags = (args + (None, None, None))[:3]
            name = _name_in(activity, path)
            if name is None:
                continue
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR)
            )
            (activity.written if writing else activity.read).append(name)
        elif event in ("os.rename", "os.link"):
            name = _name_in(activity, args[1])
            if name is not None:
                activity.written.append(name)
        elif event == "os.remove":
            name = _name_in(activity, args[0])
            if name is not None:
                activity.deleted.append((name, sorted(os.listdir(activity.folder))))


def _audit(event: str, args: tuple) -> None:
    if not _WATCHES or event not in ("open", "os.rename", "os.link", "os.remove") or getattr(_busy, "on", False):
        return
    _busy.on = True
    try:
        _record(event, args)
    finally:
        _busy.on = False


sys.addaudithook(_audit)


def _zip_spy(original: Any, mode: str) -> Any:
    """Wrap PyTorch's zip reader or writer class so that the file it opens is recorded."""

    def open_archive(target: Any, *args: Any, **kwargs: Any) -> Any:
        path = target if isinstance(target, (str, os.PathLike)) else getattr(target, "name", None)
        _audit("open", (path, mode, None))
        return original(target, *args, **kwargs)

    return open_archive


_READER = torch._C.PyTorchFileReader
_WRITER = torch._C.PyTorchFileWriter


@contextlib.contextmanager
def watching(folder: str | os.PathLike[str]) -> Iterator[FileActivity]:
    """Record the reads, writes and deletions in ``folder`` while the block runs."""
    activity = FileActivity(Path(folder).resolve())
    _WATCHES.append(activity)
    torch._C.PyTorchFileReader = _zip_spy(_READER, "rb")  # type: ignore[misc]
    torch._C.PyTorchFileWriter = _zip_spy(_WRITER, "wb")  # type: ignore[misc]
    try:
        yield activity
    finally:
        _WATCHES.remove(activity)
        if not _WATCHES:
            torch._C.PyTorchFileReader = _READER  # type: ignore[misc]
            torch._C.PyTorchFileWriter = _WRITER  # type: ignore[misc]

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from utils import atomic as atomic_module
from utils.atomic import atomic_write, remove_stale_temporaries

ATOMIC_PY = Path(atomic_module.__file__)


def test_writes_the_file_with_normal_permissions(tmp_path):
    with atomic_write(tmp_path / "out.bin") as handle:
        handle.write(b"hello")
    path = tmp_path / "out.bin"
    assert path.read_bytes() == b"hello"
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_failure_keeps_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")
    with pytest.raises(OSError), atomic_write(path) as handle:
        handle.write(b"new but incomplete")
        raise OSError("disk full")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_overwrite_false_refuses_an_existing_file(tmp_path):
    path = tmp_path / "out.bin"
    path.write_bytes(b"theirs")
    with pytest.raises(FileExistsError), atomic_write(path, overwrite=False) as handle:
        handle.write(b"mine")
    assert path.read_bytes() == b"theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


# Each writer process loads atomic.py on its own (standard library only: no torch to import),
# writes its name, waits until the other writer has written too, then tries to claim the file.
WRITER = """
import importlib.util, pathlib, sys, time
spec = importlib.util.spec_from_file_location("atomic", sys.argv[1])
atomic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(atomic)
target, me, other = pathlib.Path(sys.argv[2]), sys.argv[3], sys.argv[4]
try:
    with atomic.atomic_write(target, overwrite=False) as handle:
        handle.write(me.encode() * 1000)
        (target.parent / f"ready-{me}").touch()
        deadline = time.monotonic() + 20
        while not (target.parent / f"ready-{other}").exists():
            if time.monotonic() > deadline:
                sys.exit(3)
            time.sleep(0.005)
except FileExistsError:
    sys.exit(17)
"""


def test_two_writers_with_overwrite_false_cannot_both_succeed(tmp_path):
    """Both writers passed any "does it exist?" check before either finished: one must lose."""
    target = tmp_path / "run.pth"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(ATOMIC_PY), str(target), me, other])
        for me, other in (("a", "b"), ("b", "a"))
    ]
    codes = sorted(writer.wait(timeout=60) for writer in writers)
    assert codes == [0, 17], f"exit codes {codes}: exactly one writer must win, the other get FileExistsError"
    assert target.read_bytes() in (b"a" * 1000, b"b" * 1000), "the file is the winner's, whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ready-a", "ready-b", "run.pth"], "a temporary was left"


def test_file_system_without_hard_links_still_refuses_to_overwrite(tmp_path, monkeypatch):
    def no_links(source, target):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(atomic_module.os, "link", no_links)
    path = tmp_path / "out.bin"
    with atomic_write(path, overwrite=False) as handle:
        handle.write(b"first")
    assert path.read_bytes() == b"first"
    with pytest.raises(FileExistsError), atomic_write(path, overwrite=False) as handle:
        handle.write(b"second")
    assert path.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.skipif(sys.platform == "win32", reason="Windows cannot probe a pid safely: only the age rule applies")
def test_temporaries_of_killed_writers_are_removed_and_live_ones_kept(tmp_path):
    killed = tmp_path / f".run.pth.hw08-{dead_pid()}-0badc0de.tmp"
    alive = tmp_path / f".run.pth.hw08-{os.getpid()}-12345678.tmp"  # a write in progress (this process)
    foreign = tmp_path / ".notes.txt.tmp"  # someone else's temporary file: not ours to delete
    for path in (killed, alive, foreign):
        path.write_bytes(b"partial")
    removed = remove_stale_temporaries(tmp_path)
    assert removed == [killed]
    assert alive.exists() and foreign.exists() and not killed.exists()


def test_very_old_temporaries_are_removed_whoever_wrote_them(tmp_path):
    old = tmp_path / f".run.pth.hw08-{os.getpid()}-aaaaaaaa.tmp"
    old.write_bytes(b"partial")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    assert remove_stale_temporaries(tmp_path) == [old]


@pytest.mark.skipif(sys.platform == "win32", reason="Windows cannot probe a pid safely: only the age rule applies")
def test_a_write_cleans_up_after_an_earlier_killed_write(tmp_path):
    killed = tmp_path / f".epoch3.pth.hw08-{dead_pid()}-0badc0de.tmp"
    killed.write_bytes(b"x" * 100)
    with atomic_write(tmp_path / "epoch4.pth") as handle:
        handle.write(b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch4.pth"]


def test_cleaning_an_unreadable_folder_is_not_an_error(tmp_path):
    assert remove_stale_temporaries(tmp_path / "absent") == []

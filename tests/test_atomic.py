from __future__ import annotations

import os

import pytest

from utils.atomic import atomic_write


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

"""grading.guard: the grading kernel's file-access policy, decided and enforced."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grading.guard import Policy

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    sandbox = tmp_path / "sandbox"
    (sandbox / "hw08-student" / "utils").mkdir(parents=True)
    (sandbox / "hw08-student" / "utils" / "data.py").write_text("")
    data = tmp_path / "data"
    data.mkdir()
    return Policy(
        sandbox=str(sandbox),
        read_roots=(str(data),),
        protected=(str(sandbox / "hw08-student" / "utils" / "data.py"),),
    )


def test_reads_inside_the_sandbox_data_and_system_folders_only(policy: Policy, tmp_path: Path) -> None:
    sandbox = Path(policy.sandbox)
    assert policy.decide("open", (str(sandbox / "hw08-student" / "utils" / "data.py"), "r", 0)) is None
    assert policy.decide("open", (str(tmp_path / "data" / "train.bin"), "rb", 0)) is None
    assert policy.decide("open", ("/usr/lib/python3/x.py", "r", 0)) is None
    assert policy.decide("open", ("/proc/self/status", "r", 0)) is None
    assert policy.decide("open", (3, "r", 0)) is None  # a descriptor already open
    assert policy.decide("open", (str(ROOT / "notebooks" / "hw08-q01.ipynb"), "r", 0)) == (
        f"read {ROOT / 'notebooks' / 'hw08-q01.ipynb'}"
    )
    assert policy.decide("open", (str(tmp_path / "submissions" / "bob" / "x.ipynb"), "r", 0)).startswith("read ")
    assert policy.decide("open", ("/proc/1/environ", "r", 0)) == "read /proc/1/environ"
    assert policy.decide("os.listdir", (str(tmp_path),)).startswith("list or load ")


def test_writes_only_new_files_in_the_sandbox(policy: Policy, tmp_path: Path) -> None:
    sandbox = Path(policy.sandbox)
    protected = sandbox / "hw08-student" / "utils" / "data.py"
    assert policy.decide("open", (str(sandbox / "hw08-student" / "notebooks" / "mine.pt"), "wb", 0)) is None
    assert policy.decide("open", (str(sandbox / "tmp" / "x"), None, os.O_WRONLY | os.O_CREAT)) is None
    assert policy.decide("open", (str(protected), "w", 0)) == f"write {protected}"
    assert policy.decide("open", (str(protected), "r+", 0)) == f"write {protected}"
    assert policy.decide("open", (str(tmp_path / "outside.txt"), "a", 0)) == f"write {tmp_path / 'outside.txt'}"
    assert policy.decide("os.remove", (str(protected), None)) == f"delete {protected}"
    assert policy.decide("shutil.rmtree", (str(sandbox / "hw08-student"), None)) == (
        f"delete {sandbox / 'hw08-student'}"
    )
    assert policy.decide("os.rename", (str(sandbox / "tmp" / "a"), str(tmp_path / "b"), None, None)) == (
        f"change {tmp_path / 'b'}"
    )
    assert policy.decide("os.remove", (str(sandbox / "tmp" / "a"), None)) is None
    assert policy.decide("shutil.copyfile", (str(protected), str(sandbox / "tmp" / "copy"))) is None


def test_no_programs_are_started(policy: Policy) -> None:
    assert policy.decide("subprocess.Popen", ("cat", ["cat", "/etc/passwd"], None, None)).startswith("start a program")
    assert policy.decide("os.system", (b"ls",)) == "start a program (ls)"
    assert policy.decide("object.__getattr__", ("x", "y")) is None  # not a watched event


def test_the_installed_hook_refuses_and_records(tmp_path: Path) -> None:
    """In a fresh interpreter: pathlib, shutil and os all go through the hook; refusals raise PermissionError."""
    sandbox = tmp_path / "sandbox"
    (sandbox / "keep").mkdir(parents=True)
    (sandbox / "keep" / "file.txt").write_text("kept")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    script = textwrap.dedent(
        f"""
        import os, shutil, subprocess, sys
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from grading import guard
        refused = []
        guard.install(guard.Policy(sandbox={str(sandbox)!r}, protected=({str(sandbox / "keep" / "file.txt")!r},)),
                      refused.append)
        outcomes = []
        for attempt in (
            lambda: Path({str(secret)!r}).read_text(),
            lambda: shutil.rmtree({str(sandbox / "keep")!r}),
            lambda: os.remove({str(sandbox / "keep" / "file.txt")!r}),
            lambda: subprocess.run(["true"]),
            lambda: Path({str(sandbox / "new.txt")!r}).write_text("mine"),
        ):
            try:
                attempt()
                outcomes.append("allowed")
            except PermissionError:
                outcomes.append("refused")
        print(outcomes, len(refused))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['refused', 'refused', 'refused', 'refused', 'allowed'] 4"
    assert (sandbox / "keep" / "file.txt").read_text() == "kept"

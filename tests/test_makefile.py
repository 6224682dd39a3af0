"""The Makefile's environment targets (install, data, clean, distclean), run by `make` on a copy.

Stand-in interpreters keep these tests fast: a shell script that answers the Makefile's
version query with its tag, "creates a venv" by copying itself, and logs pip and
``-m utils`` calls instead of running them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make on PATH")

FAKE_PYTHON = """#!/bin/sh
here=$(dirname "$0")
case "$1" in
  -c) cat "$here/tag" ;;
  -m)
    case "$2" in
      venv) mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && cp "$here/tag" "$3/bin/tag" ;;
      pip) echo "pip install with $(cat "$here/tag")" >> "$HW08_TEST_LOG" ;;
      utils) echo "data root: $HW08_DATA" >> "$HW08_TEST_LOG" ;;
    esac ;;
esac
"""


def fake_python(folder: Path, tag: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "tag").write_text(tag + "\n")
    python = folder / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return python


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the Makefile and pyproject.toml, with stand-in interpreters in tmp_path/bin-*."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(ROOT / "Makefile", folder)
    shutil.copy(ROOT / "pyproject.toml", folder)
    for version in ("3.10", "3.11", "3.12"):
        fake_python(tmp_path / f"py{version}", f"cpython-{version}")
    return folder


def make(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHON", "HW08_DATA", "MAKEFLAGS")}
    environment.update(HW08_TEST_LOG=str(project / "log"), **env)
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def python(project: Path, version: str) -> str:
    return f"PYTHON={project.parent / f'py{version}' / 'python'}"


def log(project: Path) -> list[str]:
    path = project / "log"
    return path.read_text().splitlines() if path.exists() else []


def test_python_older_than_3_11_is_refused_before_a_venv_is_made(project):
    result = make(project, "install", python(project, "3.10"))
    assert result.returncode != 0
    assert "is cpython-3.10; this project needs Python 3.11 or newer" in result.stdout
    assert not (project / ".venv").exists()


def test_venv_made_by_another_interpreter_is_refused_with_the_fix(project):
    assert make(project, "install", python(project, "3.12")).returncode == 0
    assert (project / ".venv" / ".hw08-installed").read_text().strip() == "cpython-3.12"
    result = make(project, "install", python(project, "3.11"))
    assert result.returncode != 0
    assert ".venv was made by cpython-3.12, but PYTHON=" in result.stdout and "is cpython-3.11" in result.stdout
    assert "make distclean" in result.stdout
    assert (project / ".venv" / "bin" / "tag").read_text().strip() == "cpython-3.12", ".venv was changed"
    again = make(project, "install", python(project, "3.12"))
    assert again.returncode == 0 and log(project) == ["pip install with cpython-3.12"], "reinstalled needlessly"


def test_venv_whose_install_never_finished_is_rebuilt(project):
    """A .venv made by Python 3.10, whose `pip install -e .` failed, was reused forever."""
    venv_bin = project / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    shutil.copy(project.parent / "py3.10" / "python", venv_bin / "python")
    (venv_bin / "tag").write_text("cpython-3.10\n")
    result = make(project, "install", python(project, "3.11"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert ".venv is incomplete" in result.stdout
    assert (venv_bin / "tag").read_text().strip() == "cpython-3.11"
    assert (project / ".venv" / ".hw08-installed").read_text().strip() == "cpython-3.11"


def test_data_root_with_a_space_in_its_path(project, tmp_path):
    data = tmp_path / "my data"
    assert make(project, "install", python(project, "3.11")).returncode == 0
    result = make(project, "data", python(project, "3.11"), HW08_DATA=str(data))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line for line in log(project) if line.startswith("data root")] == [f"data root: {data}"]
    assert make(project, "test", python(project, "3.11"), "PY=true", HW08_DATA=str(data)).returncode == 0


def test_clean_keeps_the_venv_and_distclean_removes_it(project):
    assert make(project, "install", python(project, "3.11")).returncode == 0
    (project / "_build").mkdir()
    assert make(project, "clean", python(project, "3.11")).returncode == 0
    assert (project / ".venv" / "bin" / "python").exists() and not (project / "_build").exists()
    assert make(project, "distclean", python(project, "3.11")).returncode == 0
    assert not (project / ".venv").exists()

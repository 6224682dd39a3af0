"""The pre-commit hooks (.pre-commit-config.yaml) clean what a commit would otherwise carry.

Each test makes a throw-away git repository with the project's hook configuration and ruff
settings, installs the hooks (`pre-commit install`, as a contributor does once) and commits.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".pre-commit-config.yaml"
NOTEBOOK = ROOT / "notebooks" / "hw08-q01.ipynb"


def hooks() -> dict[str, dict]:
    """Every hook of the configuration, by id."""
    config = yaml.safe_load(CONFIG.read_text())
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with the project's hooks installed; this environment's tools on PATH."""
    if shutil.which("git") is None:
        pytest.fail("git is not on PATH: the pre-commit hooks need a git repository")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-cache"))
    for name, value in {"GIT_AUTHOR_NAME": "Test", "GIT_COMMITTER_NAME": "Test"}.items():
        monkeypatch.setenv(name, value)
    for name in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(name, "test@example.invalid")
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    assert git(repo, "init", "--quiet").returncode == 0
    shutil.copy(CONFIG, repo / CONFIG.name)
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    (repo / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "strip_notebooks.py", repo / "tools" / "strip_notebooks.py")
    install = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=repo, capture_output=True, text=True, check=False
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return repo


def commit(repo: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    assert git(repo, "add", *paths).returncode == 0
    return git(repo, "commit", "--quiet", "-m", "change")


def as_executed(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``notebook`` as JupyterLab saves it after a run: outputs, counts, widget state, editor metadata.

    The ``keep_output`` cells get a count but keep their output (a run reproduces it: nbval checks).
    """
    executed = nbformat.from_dict(notebook)
    count = 0
    for cell in executed.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        cell.metadata["scrolled"] = True
        cell.metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00.000000Z"}
        if "keep_output" not in cell.metadata.get("tags", []):
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=f"output of cell {count}\n"),
                nbformat.v4.new_output("execute_result", {"text/plain": "42"}, execution_count=count),
            ]
    executed.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return executed


def test_the_config_has_the_hooks_make_lint_runs():
    assert {"strip-notebooks", "ruff-check", "ruff-format"} <= set(hooks())
    for hook in hooks().values():
        assert hook["language"] in {"system", "unsupported"}, f"{hook['id']}: hooks must run offline"


def test_a_commit_strips_an_executed_notebook_back_to_the_committed_one(repo: Path):
    """Outputs, counts and metadata go; the ``keep_output`` cells keep their outputs."""
    committed = nbformat.read(NOTEBOOK, as_version=nbformat.NO_CONVERT)
    path = repo / "notebooks" / NOTEBOOK.name
    nbformat.write(as_executed(committed), path)
    assert sum(bool(cell.get("outputs")) for cell in nbformat.read(path, as_version=4).cells) > 30

    first = commit(repo, "notebooks")
    assert first.returncode != 0, "the commit of an executed notebook went through unchanged"
    assert "files were modified by this hook" in first.stdout + first.stderr

    assert path.read_text() == NOTEBOOK.read_text(), "the hooks left more than the committed notebook"
    second = commit(repo, "notebooks")
    assert second.returncode == 0, second.stdout + second.stderr


def test_a_commit_formats_python_and_refuses_a_lint_error(repo: Path):
    (repo / "tidy.py").write_text("import os\nx = {  'a':1 }\n")
    first = commit(repo, "tidy.py")
    assert first.returncode != 0
    assert (repo / "tidy.py").read_text() == 'x = {"a": 1}\n', "ruff did not remove the import and format"
    assert commit(repo, "tidy.py").returncode == 0

    (repo / "broken.py").write_text("print(undefined_name)\n")
    refused = commit(repo, "broken.py")
    assert refused.returncode != 0 and "F821" in refused.stdout + refused.stderr

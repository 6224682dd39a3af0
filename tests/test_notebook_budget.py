"""The root conftest.py: per-notebook wall time is reported, and a notebook over budget fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["pytester"]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    shutil.copy(ROOT / "conftest.py", pytester.path / "conftest.py")
    (pytester.path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = "--nbval-lax --nbval-current-env -p no:cacheprovider"\n'
        '[tool.hw08.notebook-budgets]\n"slow.ipynb" = 0.5\n"quick.ipynb" = 30\n'
    )
    for name, pause in (("slow.ipynb", 0.4), ("quick.ipynb", 0.0)):
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        notebook.cells = [nbformat.v4.new_code_cell(f"import time\ntime.sleep({pause})") for _ in range(2)]
        nbformat.write(notebook, pytester.path / name)
    return pytester


def test_over_budget_notebook_fails_and_times_are_printed(project: pytest.Pytester):
    result = project.runpytest_subprocess("slow.ipynb", "quick.ipynb", "--device", "cpu")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*slow.ipynb has run for * s, over its budget of 0.5 s*",
            "*notebook wall time (nbval, HW08_DEVICE=cpu)*",
            "quick.ipynb * s   budget 30 s * ok",
            "slow.ipynb * s   budget 0.5 s * OVER BUDGET",
        ]
    )

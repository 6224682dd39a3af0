"""The root conftest.py keeps what nbval ran: a notebook of notebooks/ whose cells all ran
without error (within its time budget or not) gets its executed copy in _build/, and the
tests marked ``site`` run after the notebooks."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from test_notebook_budget import project_files

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["pytester"]

SITE_TEST = """
import pytest
from pathlib import Path

@pytest.mark.site
def test_runs_after_the_notebooks():
    assert (Path(__file__).parent.parent / "_build" / "good.ipynb").is_file()
"""


def write_notebook(path: Path, *sources: str) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_raw_cell("---\ntitle: A notebook\n---")]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    project_files(pytester, '"slow.ipynb" = 0.05')
    monkeypatch.setenv("HW08_CALIBRATION", "gemm=60,python=3")  # the reference machine: fails past 0.15 s
    notebooks = pytester.path / "notebooks"
    write_notebook(notebooks / "good.ipynb", "print('hello')\nprint('world')", "6 * 7")
    write_notebook(notebooks / "bad.ipynb", "print(1)", "1 / 0")
    write_notebook(notebooks / "slow.ipynb", "import time\ntime.sleep(0.4)", "time.sleep(0.4)\nprint('done')")
    (pytester.path / "tests" / "test_site_order.py").write_text(SITE_TEST)
    return pytester


def test_passing_notebook_is_kept_failing_one_is_not_and_site_tests_run_last(project: pytest.Pytester):
    result = project.runpytest_subprocess("tests", "notebooks", "-v")
    result.assert_outcomes(passed=5, failed=2)
    result.stdout.fnmatch_lines(["*good*Cell 1 PASSED*", "*test_runs_after_the_notebooks PASSED*"])
    build = project.path / "_build"
    assert not (build / "bad.ipynb").exists(), "a notebook with a failing cell must not leave an executed copy"
    executed = nbformat.read(build / "good.ipynb", as_version=4)
    nbformat.validate(executed)
    assert executed.cells[0].cell_type == "raw", "the copy keeps the front matter"
    first, second = executed.cells[1], executed.cells[2]
    assert [first.execution_count, second.execution_count] == [1, 2]
    assert [(o.output_type, o.name, o.text) for o in first.outputs] == [("stream", "stdout", "hello\nworld\n")]
    assert second.outputs[0].output_type == "execute_result"
    assert second.outputs[0].data["text/plain"] == "42"
    assert second.outputs[0].execution_count == 2
    source = nbformat.read(project.path / "notebooks" / "good.ipynb", as_version=4)
    assert not source.cells[1].outputs, "the notebook itself is not written to"
    result.stdout.fnmatch_lines(["*slow.ipynb took * s: * times its budget of 0.05 s on the reference machine*"])
    slow = nbformat.read(build / "slow.ipynb", as_version=4)
    assert slow.cells[2].outputs[0].text == "done\n", "a notebook over its time budget still ran right: kept"


def test_a_partial_run_leaves_no_copy(project: pytest.Pytester):
    result = project.runpytest_subprocess("notebooks/good.ipynb::Cell 0")
    result.assert_outcomes(passed=1)
    assert not (project.path / "_build" / "good.ipynb").exists(), "only a notebook run in full is kept"

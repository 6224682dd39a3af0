"""pytest set-up shared by the unit tests and the nbval notebook run.

* ``--device cpu|cuda|cuda:N|mps`` (or ``HW08_DEVICE``) picks the notebooks' device: it is
  exported as ``HW08_DEVICE`` before nbval starts a kernel, and kernels inherit it.
* Each notebook's wall time under nbval is summed and read against its budget in
  ``[tool.hw08.notebook-budgets]`` of pyproject.toml in calibrated units (``tests/budgets.py``:
  the machine's speed is measured in the same run, so the figure is a ratio that holds from
  machine to machine). The report at the end gives every notebook's ratio; the cell that takes
  a notebook past ``fail-ratio`` times its scaled budget fails (a real regression, on any machine).
* What nbval ran is kept: when every code cell of ``notebooks/<name>`` ran without error
  (over its time budget or not), its executed copy is written to ``_build/<name>`` (as
  ``make run`` writes it), which ``make site`` renders instead of executing it again.
* Tests marked ``site`` (they render the site) run last, after the notebooks; the render
  and browser times they record (fixture ``timed``) are judged and printed the same way.
"""

from __future__ import annotations

import copy
import os
import sys
import warnings
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests"))  # the tests' helper modules, as the test modules import them
import budgets

NOTEBOOK_SECONDS: dict[str, float] = defaultdict(float)
EXECUTED_DIR = ROOT / "_build"
#: Outputs of the code cells nbval ran, by notebook and code-cell number; None once one failed.
CELL_OUTPUTS: dict[Path, dict[int, list] | None] = {}
#: Each notebook's time against its budget, judged after its last cell.
NOTEBOOK_VERDICTS: dict[str, budgets.Verdict] = {}
FAILED_BUDGETS: set[str] = set()
#: Render times recorded by the site tests and the browser test, judged against their budgets.
TIMED: dict[str, budgets.Verdict] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--device",
        default=None,
        help="device for the notebooks and device tests: cpu, cuda, cuda:N or mps (sets HW08_DEVICE)",
    )


def pytest_configure(config: pytest.Config) -> None:
    device = config.getoption("--device")
    if device:
        os.environ["HW08_DEVICE"] = device
    config.addinivalue_line("markers", "cuda: needs a CUDA device")
    config.addinivalue_line("markers", "mps: needs an Apple MPS device")
    config.addinivalue_line("markers", "site: renders the site; runs after the notebooks, from their executed copies")
    config.addinivalue_line(
        "markers", "after_notebooks: reads the executed copies the notebooks' run wrote; runs after it"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # stable: the tests that read the notebooks' executed copies, then the site tests, last
    items.sort(
        key=lambda item: (
            (item.get_closest_marker("site") is not None) * 2 + bool(item.get_closest_marker("after_notebooks"))
        )
    )


def _notebook_name(item: pytest.Item) -> str | None:
    path = Path(str(getattr(item, "path", item.fspath)))
    return path.name if path.suffix == ".ipynb" else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    name = _notebook_name(item)
    if name is None or call.when != "call":
        return
    NOTEBOOK_SECONDS[name] += call.duration
    keep_outputs(item, report.passed)  # the outputs are right even if the notebook is over its budget
    budget = budgets.budgets("notebook", ROOT).get(name)
    if budget is None:
        return
    run = budgets.session()
    last = getattr(item, "cell_num", None) == sum(cell.cell_type == "code" for cell in item.parent.nb.cells) - 1
    if last:
        run.measure()  # again after the notebook: the machine may have got busier meanwhile
    verdict = run.verdict(name, NOTEBOOK_SECONDS[name], budget)
    if last:
        NOTEBOOK_VERDICTS[name] = verdict
    if verdict.failed and report.passed and name not in FAILED_BUDGETS:
        FAILED_BUDGETS.add(name)  # the cell that takes the notebook past the limit fails, once
        report.outcome = "failed"
        report.longrepr = verdict.failure() + " (pyproject.toml [tool.hw08.notebook-budgets])"


def keep_outputs(item: pytest.Item, passed: bool) -> None:
    """Record the outputs of an nbval cell of ``notebooks/``; write the executed copy after the last one."""
    path = Path(str(item.path))
    if path.parent != ROOT / "notebooks" or not hasattr(item, "test_outputs"):
        return
    ran = CELL_OUTPUTS.setdefault(path, {})
    if ran is None:
        return
    if not passed:
        CELL_OUTPUTS[path] = None
        return
    ran[item.cell_num] = list(item.test_outputs or [])
    notebook = item.parent.nb
    if len(ran) == sum(cell.cell_type == "code" for cell in notebook.cells):
        write_executed_copy(path.name, notebook, ran)


def write_executed_copy(name: str, notebook: nbformat.NotebookNode, outputs: dict[int, list]) -> None:
    executed = copy.deepcopy(notebook)
    for count, cell in enumerate((cell for cell in executed.cells if cell.cell_type == "code"), start=1):
        cell.execution_count = count
        cell.outputs = [nbformat.from_dict(dict(output)) for output in outputs[count - 1]]
        for output in cell.outputs:
            if output.output_type == "execute_result":
                output.execution_count = count
    try:
        nbformat.validate(executed)
    except nbformat.ValidationError as error:
        warnings.warn(f"{name}: no executed copy in {EXECUTED_DIR.name}/ (invalid notebook: {error.message})")
        return
    EXECUTED_DIR.mkdir(exist_ok=True)
    partial = EXECUTED_DIR / f".{name}.partial"
    nbformat.write(executed, partial)
    os.replace(partial, EXECUTED_DIR / name)


@pytest.fixture(scope="session")
def timed():
    """``timed(name, seconds, kind)``: judge a time against ``[tool.hw08.<kind>-budgets]``; printed at the end.

    Returns the :class:`budgets.Verdict`; the caller fails its test when ``verdict.failed``.
    """

    def judge(name: str, seconds: float, kind: str, key: str | None = None) -> budgets.Verdict:
        verdict = budgets.session().verdict(name, seconds, budgets.budgets(kind, ROOT)[key or name])
        TIMED[name] = verdict
        return verdict

    return judge


@pytest.fixture(scope="session")
def time_limit():
    """``time_limit(kind, key)``: the seconds past which a wait is a failure here (fail-ratio x the scaled budget)."""

    def limit(kind: str, key: str) -> float:
        run = budgets.session()
        return budgets.budgets(kind, ROOT)[key] * run.slowdown * run.reference.fail_ratio

    return limit


def pytest_sessionstart(session: pytest.Session) -> None:
    run = budgets.session()
    run.watch()
    run.measure()


def pytest_sessionfinish(session: pytest.Session) -> None:
    budgets.session().stop()


def pytest_terminal_summary(terminalreporter) -> None:
    if not (NOTEBOOK_VERDICTS or TIMED or NOTEBOOK_SECONDS):
        return
    run = budgets.session()
    terminalreporter.section("time budgets (calibrated: a ratio holds from machine to machine)")
    terminalreporter.write_line(run.header())
    if NOTEBOOK_SECONDS:
        device = os.environ.get("HW08_DEVICE", "auto")
        terminalreporter.write_line(f"notebooks under nbval (HW08_DEVICE={device}):")
        table = budgets.budgets("notebook", ROOT)
        for name, seconds in sorted(NOTEBOOK_SECONDS.items()):
            if name in NOTEBOOK_VERDICTS:
                terminalreporter.write_line("  " + NOTEBOOK_VERDICTS[name].line())
            elif name in table:
                terminalreporter.write_line("  " + run.verdict(name, seconds, table[name]).line() + " (not finished)")
            else:
                terminalreporter.write_line(f"  {name:<36} {seconds:7.1f} s   no budget")
    if TIMED:
        terminalreporter.write_line("site renders and the JupyterLab test:")
        for verdict in TIMED.values():
            terminalreporter.write_line("  " + verdict.line())

"""pytest set-up shared by the unit tests and the nbval notebook run.

* ``--device cpu|cuda|cuda:N|mps`` (or ``HW08_DEVICE``) picks the notebooks' device: it is
  exported as ``HW08_DEVICE`` before nbval starts a kernel, and kernels inherit it.
* Each notebook's wall time under nbval is summed, printed at the end of the run, and
  checked against its budget in ``[tool.hw08.notebook-budgets]`` of pyproject.toml: the
  cell that takes a notebook over its budget fails.
* What nbval ran is kept: when every code cell of ``notebooks/<name>`` ran without error
  (over its time budget or not), its executed copy is written to ``_build/<name>`` (as
  ``make run`` writes it), which ``make site`` renders instead of executing it again.
* Tests marked ``site`` (they render the site) run last, after the notebooks, and the
  render times they record are printed with their budgets.
"""

from __future__ import annotations

import copy
import os
import tomllib
import warnings
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent
NOTEBOOK_SECONDS: dict[str, float] = defaultdict(float)
EXECUTED_DIR = ROOT / "_build"
#: Outputs of the code cells nbval ran, by notebook and code-cell number; None once one failed.
CELL_OUTPUTS: dict[Path, dict[int, list] | None] = {}
#: Render times recorded by the site tests: name -> (seconds, budget in seconds).
SITE_SECONDS: dict[str, tuple[float, float]] = {}


def notebook_budgets() -> dict[str, float]:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return dict(tomllib.load(handle)["tool"]["hw08"]["notebook-budgets"])


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("site") is not None)  # stable: site tests last


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
    budget = notebook_budgets().get(name)
    if budget is not None and NOTEBOOK_SECONDS[name] > budget and report.passed:
        report.outcome = "failed"
        report.longrepr = (
            f"{name} has run for {NOTEBOOK_SECONDS[name]:.1f} s, over its budget of {budget:g} s "
            "(pyproject.toml [tool.hw08.notebook-budgets]). Make the code faster; "
            "do not train less under test."
        )


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
def site_render_times() -> dict[str, tuple[float, float]]:
    """Where the site tests record ``name -> (seconds, budget)`` of each render, printed at the end."""
    return SITE_SECONDS


def pytest_terminal_summary(terminalreporter) -> None:
    if SITE_SECONDS:
        terminalreporter.section("site render time (2-core CI machine budgets)")
        for name, (seconds, budget) in SITE_SECONDS.items():
            flag = "OVER BUDGET" if seconds > budget else "ok"
            terminalreporter.write_line(f"{name:<20} {seconds:7.1f} s   budget {budget:g} s   {flag}")
    if not NOTEBOOK_SECONDS:
        return
    budgets = notebook_budgets()
    device = os.environ.get("HW08_DEVICE", "auto")
    terminalreporter.section(f"notebook wall time (nbval, HW08_DEVICE={device})")
    for name, seconds in sorted(NOTEBOOK_SECONDS.items()):
        budget = budgets.get(name)
        limit = f"budget {budget:g} s" if budget is not None else "no budget"
        flag = "OVER BUDGET" if budget is not None and seconds > budget else "ok"
        terminalreporter.write_line(f"{name:<20} {seconds:7.1f} s   {limit:<14} {flag}")

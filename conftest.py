"""pytest set-up shared by the unit tests and the nbval notebook run.

* ``--device cpu|cuda|cuda:N|mps`` (or ``HW08_DEVICE``) picks the notebooks' device: it is
  exported as ``HW08_DEVICE`` before nbval starts a kernel, and kernels inherit it.
* Each notebook's wall time under nbval is summed, printed at the end of the run, and
  checked against its budget in ``[tool.hw08.notebook-budgets]`` of pyproject.toml: the
  cell that takes a notebook over its budget fails.
"""

from __future__ import annotations

import os
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
NOTEBOOK_SECONDS: dict[str, float] = defaultdict(float)


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
    budget = notebook_budgets().get(name)
    if budget is not None and NOTEBOOK_SECONDS[name] > budget and report.passed:
        report.outcome = "failed"
        report.longrepr = (
            f"{name} has run for {NOTEBOOK_SECONDS[name]:.1f} s, over its budget of {budget:g} s "
            "(pyproject.toml [tool.hw08.notebook-budgets]). Make the code faster; "
            "do not train less under test."
        )


def pytest_terminal_summary(terminalreporter) -> None:
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

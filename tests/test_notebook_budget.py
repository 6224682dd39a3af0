"""Time budgets in calibrated units (tests/budgets.py, the root conftest.py).

A budget is in seconds on the reference machine; a run scales it by the slowdown it measures
(here played with ``HW08_CALIBRATION``) and fails a notebook only past ``fail-ratio`` times
that: a machine twice as slow passes, a notebook four times over fails.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pytest

import budgets

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["pytester"]
REFERENCE = (
    '[tool.hw08.reference-machine]\ndescription = "a test machine"\ngemm-gflops = 60\npython-mops = 3\nfail-ratio = 3\n'
)


def project_files(pytester: pytest.Pytester, notebook_budgets: str) -> None:
    """The root conftest.py, tests/budgets.py and a pyproject.toml with the given notebook budgets."""
    shutil.copy(ROOT / "conftest.py", pytester.path / "conftest.py")
    (pytester.path / "tests").mkdir(exist_ok=True)
    shutil.copy(ROOT / "tests" / "budgets.py", pytester.path / "tests" / "budgets.py")
    (pytester.path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = "--nbval-lax --nbval-current-env -p no:cacheprovider"\n'
        + REFERENCE
        + f"[tool.hw08.notebook-budgets]\n{notebook_budgets}\n"
        + "[tool.hw08.browser-budgets]\n[tool.hw08.site-budgets]\n"
    )


def sleeping_notebook(path: Path, seconds: float) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(f"import time\ntime.sleep({seconds / 2})") for _ in range(2)]
    nbformat.write(notebook, path)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    # Budget 0.25 reference-s each; the machine plays half the reference's speed (slowdown 2):
    # 0.5 s here, failing past 1.5 s.
    project_files(pytester, '"within.ipynb" = 0.25\n"twice.ipynb" = 0.25\n"four-times.ipynb" = 0.25')
    sleeping_notebook(pytester.path / "within.ipynb", 0.3)  # ratio 0.6
    sleeping_notebook(pytester.path / "twice.ipynb", 0.75)  # ratio 1.5: over budget, not a failure
    sleeping_notebook(pytester.path / "four-times.ipynb", 2.0)  # ratio 4: a regression
    return pytester


def test_a_machine_twice_as_slow_passes_and_a_notebook_four_times_over_fails(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("HW08_CALIBRATION", "gemm=30,python=1.5")  # half the reference's speed
    result = project.runpytest_subprocess("within.ipynb", "twice.ipynb", "four-times.ipynb", "--device", "cpu")
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*four-times.ipynb took * s: * times its budget of 0.25 s on the reference machine, scaled to 0.5 s*",
            "*time budgets (calibrated*",
            "calibration: GEMM 30.0 GFLOP/s (1 thread), Python 1.5 Mstep/s, from HW08_CALIBRATION*slowdown 2.00*",
            "  four-times.ipynb * budget  0.25 ref-s x 2.00 =    0.5 s here   ratio * FAILED (over 3x)",
            "  twice.ipynb * ratio  1.* over budget",
            "  within.ipynb * ratio  0.* ok",
        ]
    )


def test_the_same_notebook_passes_on_the_reference_machine_when_within_budget(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    project_files(pytester, '"quick.ipynb" = 1')
    sleeping_notebook(pytester.path / "quick.ipynb", 0.2)
    monkeypatch.setenv("HW08_CALIBRATION", "gemm=60,python=3")  # the reference machine itself
    result = pytester.runpytest_subprocess("quick.ipynb")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*slowdown 1.00*", "  quick.ipynb * ratio  0.* ok"])


def test_slowdown_is_the_ratio_that_hurts_most_and_faster_machines_get_smaller_budgets():
    reference = budgets.Reference(gemm_gflops=60, python_mops=3, fail_ratio=3, description="")
    assert reference.slowdown(budgets.Calibration(30, 3)) == 2  # matrix products twice as slow
    assert reference.slowdown(budgets.Calibration(60, 1)) == 3  # the interpreter three times as slow
    assert reference.slowdown(budgets.Calibration(120, 6)) == 0.5
    verdict = budgets.Verdict("nb", seconds=100, budget=120, slowdown=2, fail_ratio=3)
    assert (verdict.scaled_budget, round(verdict.ratio, 3), verdict.failed) == (240, 0.417, False)
    assert budgets.Verdict("nb", seconds=721, budget=120, slowdown=2, fail_ratio=3).failed
    assert not budgets.Verdict("nb", seconds=719, budget=120, slowdown=2, fail_ratio=3).failed


def test_the_slowest_calibration_of_a_run_counts(monkeypatch: pytest.MonkeyPatch):
    run = budgets.Run()
    for value in ("gemm=64,python=2.4", "gemm=16,python=2.4", "gemm=64,python=2.4"):
        monkeypatch.setenv("HW08_CALIBRATION", value)
        run.measure()
    assert run.slowdown == pytest.approx(run.reference.gemm_gflops / 16)


def test_a_bad_calibration_override_names_the_variable_and_the_form():
    with pytest.raises(ValueError, match=r"HW08_CALIBRATION='fast' is not 'gemm=GFLOPS,python=MSTEPS'"):
        budgets.parse_override("fast")


def test_a_real_calibration_measures_positive_rates(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("HW08_CALIBRATION", raising=False)
    calibration = budgets.calibrate()
    assert calibration.measured and calibration.gemm_gflops > 0 and calibration.python_mops > 0


def test_every_budget_table_names_what_it_times():
    assert set(budgets.budgets("notebook")) == {p.name for p in (ROOT / "notebooks").glob("hw08-q*.ipynb")}
    browser = budgets.budgets("browser")
    for name in budgets.budgets("notebook"):
        assert f"handout/notebooks/{name}" in browser and f"solution/notebooks/{name}" in browser
    assert set(budgets.budgets("site")) == {"make site", "make site-student"}


def test_the_machine_is_measured_again_while_the_run_goes_on_in_a_separate_process(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("HW08_CALIBRATION", raising=False)
    run = budgets.Run()
    run.watch(interval=0.2)
    try:
        deadline = time.monotonic() + 120
        while len(run.calibrations) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        run.stop()
    assert len(run.calibrations) >= 2, "the watcher measured nothing"
    assert run._probe is not None and run._probe.process.wait(timeout=10) == 0, "the probe process did not end"
    assert all(c.measured and c.gemm_gflops > 0 for c in run.calibrations)

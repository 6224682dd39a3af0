"""Question 2's experiments: a run that resumes from the baseline's state gets exactly the numbers of a
run trained from scratch (the notebook takes StepLR's first epochs from the baseline instead of
training them again)."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import torch

import utils
from notebook_functions import notebook_definitions

ROOT = Path(__file__).resolve().parent.parent


def runs_cell() -> str:
    """The source of the cell that defines ``run``, without its two calls at the end."""
    notebook = nbformat.read(ROOT / "notebooks" / "hw08-q02.ipynb", as_version=4)
    source = next(cell.source for cell in notebook.cells if cell.cell_type == "code" and "def run(" in cell.source)
    return source.split("\nbaseline = run(")[0]


@pytest.fixture(scope="module")
def namespace() -> dict:
    """The notebook's definitions with a small data set (512 training images), the run cell executed."""
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(640, 1, 28, 28, generator=generator)
    labels = torch.randint(0, 10, (640,), generator=generator)
    ns = notebook_definitions(2)
    ns["loaders"] = SimpleNamespace(
        train=utils.TensorBatchLoader(images[:512], labels[:512], batch_size=64, shuffle=True),
        val=utils.TensorBatchLoader(images[512:], labels[512:], batch_size=128),
    )
    ns["device"] = torch.device("cpu")
    exec(compile(runs_cell(), "hw08-q02.ipynb, the runs cell", "exec"), ns)  # noqa: S102 (the notebook's own cell)
    ns["EPOCHS"], ns["SEEDS"] = 4, (0, 1)
    return ns


def quiet_run(ns: dict, *args, **kwargs) -> tuple[list, str]:
    output = io.StringIO()
    with redirect_stdout(output):
        histories = ns["run"](*args, **kwargs)
    return histories, output.getvalue()


def numbers(histories: list) -> list:
    return [[(s.epoch, s.train_loss, s.train_acc, s.val_loss, s.val_acc, s.lr) for s in h.epochs] for h in histories]


def test_steplr_resumed_from_the_baseline_gets_the_numbers_of_a_run_from_scratch(namespace: dict):
    baseline, _ = quiet_run(namespace, "baseline", keep=True)
    resumed, said = quiet_run(namespace, "step", schedule="step", resume="baseline")
    scratch, _ = quiet_run(namespace, "scratch", schedule="step")
    assert "epochs 1-2 of each seed from baseline" in said, said  # StepLR keeps the rate for EPOCHS // 2 epochs
    assert numbers(resumed) == numbers(scratch), "resuming from the baseline changed the numbers"
    assert [s.lr for s in resumed[0].epochs] == [1e-3, 1e-3, 1e-4, 1e-4]
    assert numbers(resumed)[0][:2] == numbers(baseline)[0][:2]


def test_a_schedule_that_changes_the_rate_at_once_takes_nothing_from_the_baseline(namespace: dict):
    quiet_run(namespace, "baseline", keep=True)
    namespace["rates"] = lambda schedule: [5e-4] * namespace["EPOCHS"]  # a schedule below the baseline's rate
    try:
        _, said = quiet_run(namespace, "other", schedule="step", resume="baseline")
    finally:
        del namespace["rates"]
        exec(compile(runs_cell(), "hw08-q02.ipynb, the runs cell", "exec"), namespace)  # noqa: S102
        namespace["EPOCHS"], namespace["SEEDS"] = 4, (0, 1)
    assert "from baseline" not in said, said

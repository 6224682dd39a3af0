"""Every self-check on its notebook's own answers: the solutions pass, the stubs are named, the
notebook's random streams and settings stay as they were, and the notebooks' self-check cells do nothing else. One table (``notebook_functions.CHECKS``) drives all three
questions; question-specific cases live in ``test_checks_q0N.py``, wrong and other right answers in
``tests/corpus`` (``test_checks_corpus.py``).
"""

from __future__ import annotations

import ast
import importlib
import os
import random
import re
from typing import Any

import nbformat
import numpy as np
import pytest
import torch

from notebook_functions import (
    CHECKS,
    NOTEBOOKS,
    assert_passes,
    assert_unfinished,
    check_arguments,
    notebook_definitions,
    run_check,
)
from utils import checks


@pytest.mark.parametrize("question", [1, 2, 3])
def test_every_check_is_exported(question):
    module = importlib.import_module(f"utils.checks.q0{question}")
    names = {check.name for check in CHECKS.values() if check.question == question}
    assert sorted(module.__all__) == sorted(names)
    assert all(getattr(checks, name) is getattr(module, name) for name in names)


@pytest.mark.parametrize("key", list(CHECKS))
def test_the_notebook_solutions_pass(key):
    check, arguments = check_arguments(key, notebook_definitions(CHECKS[key].question))
    assert_passes(CHECKS[key].part, check, *arguments)


@pytest.mark.parametrize(("key", "function"), [(key, f) for key in CHECKS for f in CHECKS[key].functions])
def test_a_stub_names_its_part_and_function(key, function):
    question = CHECKS[key].question
    stubs = notebook_definitions(question, student=True)
    check, arguments = check_arguments(key, notebook_definitions(question), **{function: stubs[function]})
    assert_unfinished(CHECKS[key].part, STUB_NAMES.get(function, function), check, *arguments)


#: How the message names a stub of utils: the method that raises (the class's own name is not a function).
STUB_NAMES = {"MLP": "MLP.__init__"}


def _notebook_state() -> dict[str, Any]:
    """Everything of the notebook's process that a check might change: random streams, torch settings, cwd."""
    accelerator = []
    if torch.cuda.is_available():
        accelerator = [state.clone() for state in torch.cuda.get_rng_state_all()]
    elif torch.backends.mps.is_available():
        accelerator = [torch.mps.get_rng_state().clone()]
    numpy_state = np.random.get_state()
    return {
        "torch random": torch.get_rng_state().clone(),
        "accelerator random": accelerator,
        "numpy random": (numpy_state[0], numpy_state[1].copy(), *numpy_state[2:]),
        "python random": random.getstate(),
        "default dtype": torch.get_default_dtype(),
        "grad mode": torch.is_grad_enabled(),
        "inference mode": torch.is_inference_mode_enabled(),
        "deterministic algorithms": (
            torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled(),
        ),
        "cudnn flags": (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic),
        "threads": torch.get_num_threads(),
        "cwd": os.getcwd(),
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor):
        return torch.equal(a, b)
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("key", list(CHECKS))
def test_a_check_leaves_the_notebook_state_alone(key):
    """A right answer's check (every check) leaves every random stream and global setting as it found it."""
    check, arguments = check_arguments(key, notebook_definitions(CHECKS[key].question))
    torch.manual_seed(1234)
    np.random.seed(1234)
    random.seed(1234)
    before = _notebook_state()
    run_check(check, *arguments)
    after = _notebook_state()
    changed = [name for name in before if not _same(before[name], after[name])]
    assert not changed, f"{CHECKS[key].name} changed {changed}"


def test_the_state_test_can_fail():
    """_notebook_state notices each kind of change (so the test above is not vacuous)."""
    before = _notebook_state()
    torch.rand(1), np.random.rand(), random.random()
    threads = torch.get_num_threads()
    torch.set_num_threads(threads + 1)
    try:
        after = _notebook_state()
    finally:
        torch.set_num_threads(threads)
    changed = {name for name in before if not _same(before[name], after[name])}
    assert {"torch random", "numpy random", "python random", "threads"} <= changed


def _allowed_in_self_check_cell(node: ast.stmt) -> bool:
    """``checks.check_*(...)`` on names, constants and lists of them, or a ``with torch.random.fork_rng():`` block."""
    if isinstance(node, ast.With):
        return len(node.items) == 1 and ast.unparse(node.items[0].context_expr) == "torch.random.fork_rng()"
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    call = node.value
    if not ast.unparse(call.func).startswith("checks.check_"):
        return False
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    return not any(isinstance(inner, ast.Call) for argument in arguments for inner in ast.walk(argument))


@pytest.mark.parametrize("question", [1, 2, 3])
def test_self_check_cells_change_nothing_else(question):
    """A self-check cell can be rerun without changing later results: it only calls checks, and whatever
    else it does (building a module draws random weights) runs under ``torch.random.fork_rng()``."""
    notebook = nbformat.read(NOTEBOOKS[question], as_version=4)
    cells = [cell for cell in notebook.cells if cell.cell_type == "code" and "checks.check_" in cell.source]
    assert cells
    for cell in cells:
        bad = [ast.unparse(node) for node in ast.parse(cell.source).body if not _allowed_in_self_check_cell(node)]
        assert not bad, (
            f"q0{question}: a self-check cell also runs {bad}: move it under `with torch.random.fork_rng():`"
        )


@pytest.mark.parametrize(
    ("question", "key", "function", "file"),
    [
        (2, "q2_2", "MLP", "utils/models.py"),
        (2, "q2_4", "train_one_epoch", "utils/training.py"),
        (2, "q2_4", "evaluate", "utils/training.py"),
        (3, "q2_4", "train_one_epoch", "utils/training.py"),
    ],
)
def test_a_stub_in_utils_names_its_part_and_its_file(question, key, function, file):
    """The handout's ``utils.MLP``, ``utils.train_one_epoch``, ``utils.evaluate``: the check says which file to open."""
    stubs = notebook_definitions(question, student=True)
    assert stubs[function] is not notebook_definitions(question)[function]  # the handout's, not the solution
    check, arguments = check_arguments(key, notebook_definitions(2), **{function: stubs[function]})
    with pytest.raises(
        NotImplementedError,
        match=rf"^Q{CHECKS[key].part} is not finished: {re.escape(STUB_NAMES.get(function, function))}\(\).*Open {file}",
    ):
        run_check(check, *arguments)

"""The question-1 self-checks on the notebook's own answers: its solutions pass, its stubs are named.

Wrong answers and other right ones are in ``tests/corpus`` (``test_checks_corpus.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from notebook_functions import CHECKS, assert_passes, assert_unfinished, check_arguments, notebook_definitions
from utils import available_devices, checks
from utils.checks import q01

KEYS = [key for key, check in CHECKS.items() if check.question == 1]


def test_every_check_is_exported():
    names = {CHECKS[key].name for key in KEYS}
    assert sorted(q01.__all__) == sorted(names)
    assert all(getattr(checks, name) is getattr(q01, name) for name in names)


@pytest.mark.parametrize("key", KEYS)
def test_the_notebook_solutions_pass(key):
    check, arguments = check_arguments(key, notebook_definitions(1))
    assert_passes(CHECKS[key].part, check, *arguments)


@pytest.mark.parametrize(("key", "function"), [(key, f) for key in KEYS for f in CHECKS[key].functions])
def test_a_stub_names_its_part_and_function(key, function):
    stubs = notebook_definitions(1, student=True)
    check, arguments = check_arguments(key, notebook_definitions(1), **{function: stubs[function]})
    assert_unfinished(CHECKS[key].part, function, check, *arguments)


@pytest.mark.parametrize("key", KEYS)
def test_a_check_leaves_the_random_streams_alone(key):
    check, arguments = check_arguments(key, notebook_definitions(1))
    torch.manual_seed(1234)
    np.random.seed(1234)
    before = torch.get_rng_state(), np.random.get_state()[1].copy()
    check(*arguments)
    assert torch.equal(torch.get_rng_state(), before[0])
    assert np.array_equal(np.random.get_state()[1], before[1])


@pytest.mark.parametrize("device", available_devices())
def test_devices_on_every_device_here(device):
    """1.3's to_numpy and 1.5's matmul_on on each real device (and on the stand-in GPU)."""
    solutions = notebook_definitions(1)
    assert_passes("1.3", checks.check_stopping_gradients, *[solutions[f] for f in CHECKS["q1_3"].functions], device)
    line = assert_passes("1.5", checks.check_matmul_on, solutions["matmul_on"], device)
    assert f"matmul_on on {device} " in line

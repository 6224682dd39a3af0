"""The question-3 self-checks on the notebook's own answers: its solutions pass, its stubs are named.

Wrong answers and other right ones are in ``tests/corpus`` (``test_checks_corpus.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from notebook_functions import CHECKS, assert_passes, assert_unfinished, check_arguments, notebook_definitions
from utils import checks
from utils.checks import q03

KEYS = [key for key, check in CHECKS.items() if check.question == 3]


def test_every_check_is_exported():
    names = {CHECKS[key].name for key in KEYS}
    assert sorted(q03.__all__) == sorted(names)
    assert all(getattr(checks, name) is getattr(q03, name) for name in names)


@pytest.mark.parametrize("key", KEYS)
def test_the_notebook_solutions_pass(key):
    check, arguments = check_arguments(key, notebook_definitions(3))
    assert_passes(CHECKS[key].part, check, *arguments)


@pytest.mark.parametrize(("key", "function"), [(key, f) for key in KEYS for f in CHECKS[key].functions])
def test_a_stub_names_its_part_and_function(key, function):
    stubs = notebook_definitions(3, student=True)
    check, arguments = check_arguments(key, notebook_definitions(3), **{function: stubs[function]})
    assert_unfinished(CHECKS[key].part, function, check, *arguments)


@pytest.mark.parametrize("key", KEYS)
def test_a_check_leaves_the_random_streams_alone(key):
    check, arguments = check_arguments(key, notebook_definitions(3))
    torch.manual_seed(1234)
    np.random.seed(1234)
    before = torch.get_rng_state(), np.random.get_state()[1].copy()
    check(*arguments)
    assert torch.equal(torch.get_rng_state(), before[0])
    assert np.array_equal(np.random.get_state()[1], before[1])


def test_a_failed_export_leaves_no_stale_cache_behind():
    """A first try without dynamic_shapes, then the right answer, on the same model in the same process."""
    solutions = notebook_definitions(3)
    check, (_, model, inputs) = check_arguments("q3_5_export", solutions)

    def export_static(model, example, path):
        program = torch.export.export(model, (example,))
        torch.export.save(program, path)
        return torch.export.load(path).module()

    with pytest.raises(AssertionError, match="dynamic"):
        check(export_static, model, inputs)
    assert_passes("3.5", check, solutions["export_and_reload"], model, inputs)

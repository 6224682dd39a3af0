"""The question-2 self-checks on the notebook's own answers: its solutions pass, its stubs are named.

Wrong answers and other right ones are in ``tests/corpus`` (``test_checks_corpus.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from notebook_functions import CHECKS, assert_passes, assert_unfinished, check_arguments, notebook_definitions
from utils import checks
from utils.checks import q02

KEYS = [key for key, check in CHECKS.items() if check.question == 2]


def test_every_check_is_exported():
    names = {CHECKS[key].name for key in KEYS}
    assert sorted(q02.__all__) == sorted(names)
    assert all(getattr(checks, name) is getattr(q02, name) for name in names)


@pytest.mark.parametrize("key", KEYS)
def test_the_notebook_solutions_pass(key):
    check, arguments = check_arguments(key, notebook_definitions(2))
    assert_passes(CHECKS[key].part, check, *arguments)


@pytest.mark.parametrize(("key", "function"), [(key, f) for key in KEYS for f in CHECKS[key].functions])
def test_a_stub_names_its_part_and_function(key, function):
    stubs = notebook_definitions(2, student=True)
    check, arguments = check_arguments(key, notebook_definitions(2), **{function: stubs[function]})
    assert_unfinished(CHECKS[key].part, function, check, *arguments)


@pytest.mark.parametrize("key", KEYS)
def test_a_check_leaves_the_random_streams_alone(key):
    check, arguments = check_arguments(key, notebook_definitions(2))
    torch.manual_seed(1234)
    np.random.seed(1234)
    before = torch.get_rng_state(), np.random.get_state()[1].copy()
    check(*arguments)
    assert torch.equal(torch.get_rng_state(), before[0])
    assert np.array_equal(np.random.get_state()[1], before[1])


def test_the_training_loop_check_loader_behaves_like_a_data_loader():
    """The check's loader behaves like a DataLoader: len(), .dataset and .batch_size all work."""
    from utils.checks.q02 import _Loader

    loader = _Loader(torch.zeros(10, 2), torch.zeros(10, dtype=torch.long), batch_size=4, shuffle=False)
    assert len(loader) == 3 and len(loader.dataset) == 10 and loader.batch_size == 4
    assert [len(y) for _, y in loader] == [4, 4, 2]

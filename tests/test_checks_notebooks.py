"""Every self-check on its notebook's own answers: the solutions pass, the stubs are named, the
notebook's random streams stay as they were. One table (``notebook_functions.CHECKS``) drives all three
questions; question-specific cases live in ``test_checks_q0N.py``, wrong and other right answers in
``tests/corpus`` (``test_checks_corpus.py``).
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

from notebook_functions import CHECKS, assert_passes, assert_unfinished, check_arguments, notebook_definitions
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
    assert_unfinished(CHECKS[key].part, function, check, *arguments)


@pytest.mark.parametrize("key", list(CHECKS))
def test_a_check_leaves_the_random_streams_alone(key):
    check, arguments = check_arguments(key, notebook_definitions(CHECKS[key].question))
    torch.manual_seed(1234)
    np.random.seed(1234)
    before = torch.get_rng_state(), np.random.get_state()[1].copy()
    check(*arguments)
    assert torch.equal(torch.get_rng_state(), before[0])
    assert np.array_equal(np.random.get_state()[1], before[1])

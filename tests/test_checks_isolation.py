"""isolated() (utils/checks/_isolation.py): a check leaves dtype, grad mode and every random stream as it found them."""

from __future__ import annotations

import random

import numpy as np
import torch

from utils.checks._isolation import describe_changes, global_state, isolated


def test_isolated_restores_settings_and_random_streams():
    torch.manual_seed(3)
    np.random.seed(3)
    random.seed(3)
    expected = torch.rand(2), np.random.rand(2), random.random()
    torch.manual_seed(3)
    np.random.seed(3)
    random.seed(3)
    with isolated():
        assert global_state() == (torch.float32, True)
        torch.rand(5), np.random.rand(5), random.random()
        torch.set_default_dtype(torch.float64)
        torch.set_grad_enabled(False)
    assert global_state() == (torch.float32, True)
    assert torch.equal(torch.rand(2), expected[0])
    assert np.array_equal(np.random.rand(2), expected[1]) and random.random() == expected[2]


def test_describe_changes_names_what_changed():
    before = global_state()
    assert describe_changes(before, before) == ""
    changed = before._replace(default_dtype=torch.float64, grad_enabled=False)
    text = describe_changes(before, changed)
    assert "set_default_dtype" in text and "torch.no_grad()" in text


def test_isolated_puts_back_deterministic_flags_threads_and_the_working_directory(tmp_path):
    import os

    from utils.checks._isolation import process_settings

    before = process_settings()
    with isolated():
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = not before.cudnn_benchmark
        torch.set_num_threads(before.threads + 1)
        os.chdir(tmp_path)
    assert process_settings() == before

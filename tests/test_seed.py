from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import utils


def draw() -> tuple:
    return random.random(), float(np.random.rand()), torch.rand(3).tolist()


def test_same_seed_same_numbers():
    utils.seed_everything(123)
    first = draw()
    utils.seed_everything(123)
    assert draw() == first


def test_different_seeds_differ():
    utils.seed_everything(1)
    first = draw()
    utils.seed_everything(2)
    second = draw()
    assert all(a != b for a, b in zip(first, second))


def test_deterministic_flag(monkeypatch):
    before = torch.are_deterministic_algorithms_enabled()
    try:
        utils.seed_everything(0, deterministic=True)
        assert torch.are_deterministic_algorithms_enabled()
    finally:
        torch.use_deterministic_algorithms(before)


def test_rejects_non_int_seed():
    with pytest.raises(TypeError, match="seed must be an int"):
        utils.seed_everything("42")  # type: ignore[arg-type]

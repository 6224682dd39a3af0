from __future__ import annotations

from torch import nn

import utils


def test_count_parameters_of_a_784_256_128_10_mlp():
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    assert utils.count_parameters(model) == (784 + 1) * 256 + (256 + 1) * 128 + (128 + 1) * 10 == 235_146


def test_count_parameters_skips_frozen_ones_unless_asked():
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    model[0].requires_grad_(False)
    assert utils.count_parameters(model) == 3 * 2 + 2
    assert utils.count_parameters(model, trainable_only=False) == 4 * 3 + 3 + 3 * 2 + 2

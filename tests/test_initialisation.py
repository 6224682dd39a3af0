"""utils.initialisation: per-layer statistics of a deep network before training."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import utils


def deep(depth: int = 10, width: int = 64, std: float | None = None) -> nn.Sequential:
    layers: list[nn.Module] = []
    for index in range(depth):
        layers.append(nn.Linear(width, width if index < depth - 1 else 10))
        if index < depth - 1:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    if std is not None:
        with torch.no_grad():
            for layer in model:
                if isinstance(layer, nn.Linear):
                    layer.weight.normal_(0.0, std)
                    layer.bias.zero_()
    return model


def batch(width: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return torch.randn(512, width, generator=generator), torch.randint(0, 10, (512,), generator=generator)


def test_one_entry_per_linear_layer_and_no_grad_left_behind():
    torch.manual_seed(0)
    model = deep()
    stats = utils.layer_statistics(model, *batch(), nn.CrossEntropyLoss())
    assert len(stats.activation_std) == len(stats.gradient_std) == 10
    assert all(p.grad is None for p in model.parameters())


def test_matches_a_hand_computed_first_layer():
    torch.manual_seed(0)
    model = deep(depth=2)
    inputs, labels = batch()
    stats = utils.layer_statistics(model, inputs, labels, nn.CrossEntropyLoss())
    assert stats.activation_std[0] == pytest.approx(model[0](inputs).std().item())
    assert stats.activation_std[1] == pytest.approx(model(inputs).std().item())


def test_kaiming_keeps_the_scale_and_a_small_normal_loses_it():
    torch.manual_seed(0)
    inputs, labels = batch()
    kaiming = utils.layer_statistics(deep(std=math.sqrt(2 / 64)), inputs, labels, nn.CrossEntropyLoss())
    small = utils.layer_statistics(deep(std=0.01), inputs, labels, nn.CrossEntropyLoss())
    assert 0.3 < kaiming.activation_std[-2] / kaiming.activation_std[0] < 3
    assert small.activation_std[-1] < 1e-6 * small.activation_std[0]
    assert small.gradient_std[0] < 1e-6 * small.gradient_std[-1]


def test_needs_a_sequential():
    with pytest.raises(TypeError, match="nn.Sequential"):
        utils.layer_statistics(nn.Linear(3, 2), torch.zeros(1, 3), torch.zeros(1, dtype=torch.long), nn.MSELoss())

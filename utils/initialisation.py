"""How an initialisation carries signals through a deep network, before any training (lessons: Q2.5).

A linear layer multiplies the spread of its input by about ``std(weight) * sqrt(fan_in)``, and a
ReLU keeps half of the second moment. Stacked ten times, a factor slightly below one makes the
activations (forward) and the gradients (backward) shrink geometrically with depth; Kaiming's
``std = sqrt(2 / fan_in)`` makes the factor one. :func:`layer_statistics` measures this on one
batch; ``utils.plot_layer_statistics`` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class LayerStatistics:
    """Per ``nn.Linear`` layer, first to last: the std of its output and of the loss gradient there."""

    activation_std: list[float]
    gradient_std: list[float]


def layer_statistics(
    model: nn.Sequential, inputs: torch.Tensor, labels: torch.Tensor, criterion: nn.Module
) -> LayerStatistics:
    """Run ``model`` (an ``nn.Sequential``) on one batch, layer by layer, and backpropagate ``criterion``.

    For each ``nn.Linear`` it records the standard deviation of the layer's output and of the
    gradient of the loss with respect to that output. The model's parameters get no ``.grad``
    (the gradients are taken with ``torch.autograd.grad``), and its training mode is kept.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"layer_statistics needs an nn.Sequential (run layer by layer), got {type(model).__name__}")
    outputs: list[torch.Tensor] = []
    h = inputs
    for layer in model:
        h = layer(h)
        if isinstance(layer, nn.Linear):
            outputs.append(h)
    if not outputs:
        raise ValueError("the model has no nn.Linear layer")
    gradients = torch.autograd.grad(criterion(h, labels), outputs)
    return LayerStatistics(
        activation_std=[output.detach().std().item() for output in outputs],
        gradient_std=[gradient.std().item() for gradient in gradients],
    )

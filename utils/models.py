"""Models and weight initialisation (lessons: Q2.2 "Model", Q2.5 initialisation, Q3)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch
from torch import nn


class MLP(nn.Module):
    """A multi-layer perceptron built programmatically with ``nn.ModuleList`` (the guide's pattern).

    Each hidden block is ``Linear -> [BatchNorm1d] -> activation -> [Dropout]``; the last
    ``Linear`` returns raw logits (no softmax: ``nn.CrossEntropyLoss`` expects logits).

    Shape:
        input: ``(N, *)`` with ``prod(*) == input_size`` (images are flattened), e.g. ``(N, 1, 28, 28)``.
        output: ``(N, output_size)`` logits.

    Example: ``MLP(784, [256, 128], 10)`` has 235,146 parameters.
    """

    def __init__(
        self,
        input_size: int,
        hidden_sizes: Sequence[int],
        output_size: int,
        activation: type[nn.Module] = nn.ReLU,
        dropout: float = 0.0,
        batch_norm: bool = False,
    ) -> None:
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.input_size = input_size
        sizes = [input_size, *hidden_sizes, output_size]
        self.layers = nn.ModuleList()
        for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
            self.layers.append(nn.Linear(n_in, n_out))
            if i < len(sizes) - 2:  # no activation after the output layer
                if batch_norm:
                    self.layers.append(nn.BatchNorm1d(n_out))
                self.layers.append(activation())
                if dropout > 0:
                    self.layers.append(nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(x.shape[0], -1)
        if x.shape[1] != self.input_size:
            raise ValueError(
                f"MLP expects {self.input_size} features per sample, got {x.shape[1]} (input shape {tuple(x.shape)})"
            )
        for layer in self.layers:
            x = layer(x)
        return x


INIT_SCHEMES = ("kaiming", "xavier", "orthogonal")


def init_weights(model: nn.Module, scheme: str = "kaiming") -> nn.Module:
    """Re-initialise every ``nn.Linear`` weight with ``scheme``; biases become zero.

    Schemes: ``kaiming`` (He, normal, for ReLU), ``xavier`` (Glorot, normal, for tanh or
    sigmoid), ``orthogonal``. The trailing underscore of ``nn.init.*_`` marks an in-place op.
    Returns the model, for chaining.
    """
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"unknown init scheme {scheme!r}; choose one of {', '.join(INIT_SCHEMES)}")

    def init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            if scheme == "kaiming":
                nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
            elif scheme == "xavier":
                nn.init.xavier_normal_(module.weight)
            else:
                nn.init.orthogonal_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)

    model.apply(init)
    return model


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of scalar parameters (only those with ``requires_grad`` by default)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)

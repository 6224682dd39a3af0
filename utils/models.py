"""The model of question 2, and looking at models (lessons: Q2.2 "Model", Q2.6, Q3).

``MLP`` is yours to write (question 2.2): the notebook explains it, imports it as
``utils.MLP``, checks it and trains it. ``count_parameters`` measures any model.
"""

from __future__ import annotations

from torch import nn


# Part 2.2: the multi-layer perceptron. Write the two methods below, save this file, then rerun
# the self-check cell of 2.2 in the notebook (its autoreload picks up the new version).
class MLP(nn.Module):
    """Multi-layer perceptron: (N, 1, 28, 28) or (N, 784) -> logits (N, output_size).

    One ``nn.Linear`` per pair of consecutive sizes of ``[input_size, *hidden_sizes, output_size]``,
    kept in an ``nn.ModuleList``. Hidden block: Linear -> [BatchNorm1d if batch_norm] -> ReLU ->
    [Dropout(dropout) if dropout > 0]; nothing after the last Linear (raw logits).
    """

    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__()
        ### BEGIN SOLUTION
        sizes = [input_size, *hidden_sizes, output_size]
        self.layers = nn.ModuleList()
        for i in range(len(sizes) - 1):
            self.layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:  # hidden layers only: no activation after the last one
                if batch_norm:
                    self.layers.append(nn.BatchNorm1d(sizes[i + 1]))
                self.layers.append(nn.ReLU())
                if dropout > 0:
                    self.layers.append(nn.Dropout(dropout))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        x = x.reshape(x.size(0), -1)  # flatten: (N, 1, 28, 28) -> (N, 784)
        for layer in self.layers:
            x = layer(x)
        return x
        ### END SOLUTION


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of scalar parameters (only those with ``requires_grad`` by default).

    Example: a 784-256-128-10 MLP has (784 + 1) * 256 + (256 + 1) * 128 + (128 + 1) * 10 = 235,146.
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)

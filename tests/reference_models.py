"""Small models and a plain training loop for the unit tests (the tests are not part of the handout).

``utils`` holds no model and no training loop: those are the students' answers (2.2, 2.4).
The tests still need both to exercise ``fit``, checkpoints and the self-checks.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch
from torch import nn


class TestMLP(nn.Module):
    """``Linear -> [BatchNorm1d] -> ReLU -> [Dropout]`` per hidden size, then ``Linear``; ``(N, *) -> (N, out)``."""

    __test__ = False  # not a pytest test class

    def __init__(self, sizes: Sequence[int], dropout: float = 0.0, batch_norm: bool = False) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        for index, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
            layers.append(nn.Linear(n_in, n_out))
            if index < len(sizes) - 2:
                layers += [nn.BatchNorm1d(n_out)] if batch_norm else []
                layers.append(nn.ReLU())
                layers += [nn.Dropout(dropout)] if dropout > 0 else []
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x.flatten(1))


def train_one_epoch(model, loader, criterion, optimizer, device) -> tuple[float, float]:
    """The loop of question 2.4, for tests: ``(mean loss per sample, accuracy)`` in training mode."""
    model.train()
    total, correct, count = 0.0, 0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        correct += int((outputs.argmax(1) == labels).sum())
        count += len(labels)
    return total / count, correct / count


def evaluate(model, loader, criterion, device) -> tuple[float, float]:
    """``(mean loss per sample, accuracy)`` in eval mode without gradients, for tests."""
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            total += criterion(outputs, labels).item() * len(labels)
            correct += int((outputs.argmax(1) == labels).sum())
            count += len(labels)
    return total / count, correct / count


#: What ``utils.fit`` needs besides the model and data: the loop.
LOOP = {"train_one_epoch": train_one_epoch, "evaluate": evaluate}

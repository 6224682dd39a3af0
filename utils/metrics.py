"""Classification metrics on label tensors and confusion matrices (lessons: Q2.6 "Final model").

The confusion matrix itself is yours to count (question 2.6): these read one.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` ``(N, C)`` whose arg-max equals ``labels`` ``(N,)``."""
    return (logits.argmax(dim=1) == labels).float().mean().item()


def per_class_accuracy(matrix: torch.Tensor) -> torch.Tensor:
    """Recall of each class ``(C,)`` from a confusion matrix (diagonal / row sums)."""
    return matrix.diag().float() / matrix.sum(dim=1).clamp(min=1).float()


def most_confused_pair(matrix: torch.Tensor, classes: Sequence[str] | None = None) -> tuple:
    """The off-diagonal cell with the most errors: ``(true, predicted, count)``.

    ``true`` and ``predicted`` are class names when ``classes`` is given, else indices.
    """
    errors = matrix.clone()
    errors.fill_diagonal_(0)
    flat = int(errors.argmax())
    true, predicted = divmod(flat, matrix.shape[1])
    count = int(errors[true, predicted])
    if classes is not None:
        return classes[true], classes[predicted], count
    return true, predicted, count

"""Classification metrics on label tensors (lessons: Q2.6 "Final model")."""

from __future__ import annotations

from collections.abc import Sequence

import torch


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` ``(N, C)`` whose arg-max equals ``labels`` ``(N,)``."""
    return (logits.argmax(dim=1) == labels).float().mean().item()


def confusion_matrix(labels: torch.Tensor, predictions: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Counts ``(C, C)``: row = true class, column = predicted class. Inputs are ``(N,)`` ints."""
    labels, predictions = labels.cpu().long(), predictions.cpu().long()
    if labels.shape != predictions.shape:
        raise ValueError(f"labels {tuple(labels.shape)} and predictions {tuple(predictions.shape)} differ")
    index = labels * num_classes + predictions
    return torch.bincount(index, minlength=num_classes**2).reshape(num_classes, num_classes)


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

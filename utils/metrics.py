"""Classification metrics on label tensors and confusion matrices (lessons: Q2.6 "Final model").

The confusion matrix itself is yours to count (question 2.6): these read one. Every function
checks its input first: one-hot labels, labels of shape ``(N, 1)``, a label outside the classes,
tensors on different devices or without data (``meta``) are errors that say what to change,
never a silently wrong number.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def _refuse_meta(tensor: torch.Tensor, name: str) -> None:
    if tensor.is_meta:
        raise ValueError(f"{name} is on the meta device (a shape without data): compute it on a real device")


def check_class_labels(
    logits: torch.Tensor, labels: torch.Tensor, name: str = "labels", ignore_index: int | None = None
) -> None:
    """Check that ``labels`` are class indices for ``logits``: shape ``(N,)``, an integer dtype, values in ``[0, C)``.

    ``logits`` has shape ``(N, C)``; a label equal to ``ignore_index`` (as in
    ``CrossEntropyLoss(ignore_index=...)``) is allowed too. Raises ``ValueError`` / ``TypeError`` with the fix
    (one-hot rows: ``labels.argmax(dim=1)``; a column ``(N, 1)``: ``labels.squeeze(1)``).
    """
    for tensor, what in ((logits, "logits"), (labels, name)):
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"{what} must be a tensor, got {type(tensor).__name__}")
        _refuse_meta(tensor, what)
    if logits.dim() != 2:
        raise ValueError(
            f"logits must have shape (N, C) (one row of class scores per sample), got {tuple(logits.shape)}"
        )
    n, classes = logits.shape
    if labels.device != logits.device:
        raise ValueError(f"logits are on {logits.device} but {name} on {labels.device}: move both to one device")
    if labels.shape == logits.shape:
        raise ValueError(
            f"{name} have shape {tuple(labels.shape)} and dtype {labels.dtype}: one-hot rows or probabilities. "
            f"Pass class indices of shape ({n},): {name}.argmax(dim=1)"
        )
    if labels.dim() == 2 and labels.shape[1] == 1:
        raise ValueError(f"{name} have shape {tuple(labels.shape)}: a column. Pass shape ({n},): {name}.squeeze(1)")
    if labels.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one class index per row of logits; got {tuple(labels.shape)}")
    if labels.dtype.is_floating_point or labels.dtype.is_complex or labels.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class indices (torch.int64), got {labels.dtype}: use {name}.long()")
    if not n:
        return
    low, high = (int(value) for value in torch.aminmax(labels))  # one pass: fit calls this for every batch
    if low >= 0 and high < classes:
        return
    outside = (labels < 0) | (labels >= classes)
    if ignore_index is not None:
        outside &= labels != ignore_index
    if bool(outside.any()):
        bad = labels[outside][0].item()
        raise ValueError(
            f"{name} contain {bad}, outside the {classes} classes 0..{classes - 1} of the logits: "
            "check the labels, or give the model one output per class"
        )


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` ``(N, C)`` whose arg-max equals ``labels`` ``(N,)``.

    Raises:
        ValueError, TypeError: labels that are not class indices (see :func:`check_class_labels`),
            or no samples at all.
    """
    check_class_labels(logits, labels)
    if len(labels) == 0:
        raise ValueError("accuracy of no samples is undefined: logits and labels are empty")
    return (logits.argmax(dim=1) == labels).float().mean().item()


def check_confusion_matrix(matrix: torch.Tensor, classes: Sequence[str] | None = None) -> torch.Tensor:
    """``matrix`` as a tensor, checked to be a confusion matrix: square ``(C, C)``, finite, no negative counts.

    Rows are true classes, columns predictions; counts or row-normalised fractions both work.
    With ``classes``, their number must be ``C``.
    """
    if not isinstance(matrix, torch.Tensor):
        try:
            matrix = torch.as_tensor(matrix)
        except (TypeError, ValueError, RuntimeError) as error:
            raise TypeError(f"the confusion matrix must be a (C, C) tensor, got {type(matrix).__name__}") from error
    _refuse_meta(matrix, "the confusion matrix")
    if matrix.dim() != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(
            f"a confusion matrix is square, (C, C) with rows = true classes and columns = predictions; "
            f"got shape {tuple(matrix.shape)}"
        )
    if matrix.dtype == torch.bool or matrix.dtype.is_complex:
        raise TypeError(f"a confusion matrix holds counts, not {matrix.dtype}")
    if matrix.dtype.is_floating_point and not bool(torch.isfinite(matrix).all()):
        raise ValueError("the confusion matrix contains NaN or infinity: count the predictions again")
    if bool((matrix < 0).any()):
        raise ValueError("the confusion matrix has negative entries: each cell counts samples, so it is 0 or more")
    if classes is not None and len(classes) != matrix.shape[0]:
        raise ValueError(f"{len(classes)} class names for a {matrix.shape[0]}x{matrix.shape[0]} confusion matrix")
    return matrix


def per_class_accuracy(matrix: torch.Tensor) -> torch.Tensor:
    """Recall of each class ``(C,)`` from a confusion matrix (diagonal / row sums).

    A class without any sample (an empty row) gets ``nan``: its accuracy is undefined.
    """
    matrix = check_confusion_matrix(matrix).double()
    totals = matrix.sum(dim=1)
    recall = matrix.diag() / totals.clamp(min=torch.finfo(torch.float64).tiny)
    return torch.where(totals > 0, recall, torch.nan).float()


def most_confused_pair(matrix: torch.Tensor, classes: Sequence[str] | None = None) -> tuple:
    """The off-diagonal cell with the most errors: ``(true, predicted, count)``.

    ``true`` and ``predicted`` are class names when ``classes`` is given, else indices.
    ``count`` is 0 when there is no error at all.
    """
    matrix = check_confusion_matrix(matrix, classes)
    if matrix.shape[0] < 2:
        raise ValueError("a 1x1 confusion matrix has no pair of classes to confuse")
    errors = matrix.clone()
    errors.fill_diagonal_(0)
    flat = int(errors.argmax())
    true, predicted = divmod(flat, matrix.shape[1])
    count = errors[true, predicted].item()
    if classes is not None:
        return classes[true], classes[predicted], count
    return true, predicted, count

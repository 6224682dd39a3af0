"""Figures for the notebooks (lessons: Q2.1 image grid, Q2.5 learning curves, Q2.6 confusion matrix).

Each function builds a ``matplotlib.figure.Figure`` without pyplot's global state and
returns it: a notebook cell that ends with the call shows it once, a test can inspect it,
and ``fig.savefig(...)`` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .training import History


def plot_learning_curves(
    history: History | Mapping[str, History],
    title: str = "Training and validation metrics",
) -> Figure:
    """Loss (left) and accuracy (right) per epoch; train dashed, validation solid.

    Pass one ``History`` or a mapping ``{label: History}`` to compare runs on one figure.
    """
    runs = {"": history} if isinstance(history, History) else dict(history)
    if not runs or any(len(run) == 0 for run in runs.values()):
        raise ValueError("plot_learning_curves needs at least one History with at least one epoch")
    fig = Figure(figsize=(11, 4), layout="constrained")
    loss_ax, acc_ax = fig.subplots(1, 2)
    for i, (label, run) in enumerate(runs.items()):
        color = f"C{i}"
        prefix = f"{label} " if label else ""
        epochs = [stats.epoch for stats in run.epochs]
        loss_ax.plot(epochs, run.train_loss, "--", color=color, label=f"{prefix}train")
        loss_ax.plot(epochs, run.val_loss, "-", color=color, label=f"{prefix}validation")
        acc_ax.plot(epochs, run.train_acc, "--", color=color, label=f"{prefix}train")
        acc_ax.plot(epochs, run.val_acc, "-", color=color, label=f"{prefix}validation")
    loss_ax.set(xlabel="epoch", ylabel="loss (mean cross-entropy)", title="Loss")
    acc_ax.set(xlabel="epoch", ylabel="accuracy", title="Accuracy")
    for ax in (loss_ax, acc_ax):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(title)
    return fig


def show_images(
    images: torch.Tensor,
    labels: torch.Tensor | Sequence[int],
    classes: Sequence[str],
    predictions: torch.Tensor | Sequence[int] | None = None,
    ncols: int = 8,
) -> Figure:
    """A grid of grayscale images ``(N, 1, H, W)`` or ``(N, H, W)`` titled with class names.

    With ``predictions``, titles read ``predicted (true)`` and mistakes are red.
    """
    images = images.detach().cpu()
    if images.ndim == 4:
        if images.shape[1] != 1:
            raise ValueError(f"show_images expects one channel, got shape {tuple(images.shape)}")
        images = images[:, 0]
    if images.ndim != 3:
        raise ValueError(f"show_images expects (N, 1, H, W) or (N, H, W), got {tuple(images.shape)}")
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig = Figure(figsize=(1.6 * ncols, 1.8 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i].numpy(), cmap="gray")
        true = classes[int(labels[i])]
        if predictions is None:
            ax.set_title(true, fontsize="small")
        else:
            guess = classes[int(predictions[i])]
            ax.set_title(f"{guess}\n({true})", fontsize="small", color="black" if guess == true else "red")
    return fig


def plot_confusion_matrix(
    matrix: torch.Tensor,
    classes: Sequence[str],
    normalize: bool = True,
    title: str = "Confusion matrix",
) -> Figure:
    """Heat map of a ``(C, C)`` confusion matrix (rows: true class, columns: predicted).

    ``normalize`` divides each row by its total, so the diagonal shows per-class accuracy.
    """
    values = matrix.detach().cpu().double()
    if normalize:
        values = values / values.sum(dim=1, keepdim=True).clamp(min=1)
    fig = Figure(figsize=(7.5, 6.5), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(values.numpy(), cmap="Blues")
    fig.colorbar(image, ax=ax, shrink=0.8)
    ticks = range(len(classes))
    ax.set_xticks(ticks, classes, rotation=45, ha="right")
    ax.set_yticks(ticks, classes)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    threshold = float(values.max()) / 2
    for r in ticks:
        for c in ticks:
            value = float(values[r, c])
            text = f"{value:.2f}" if normalize else f"{int(value)}"
            ax.text(c, r, text, ha="center", va="center", fontsize=7, color="white" if value > threshold else "black")
    return fig

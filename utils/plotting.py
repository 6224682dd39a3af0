"""Figures for the notebooks (lessons: Q2.1 image grid, Q2.5 learning curves and initialisation, Q2.6 confusion matrix).

Each function builds a ``matplotlib.figure.Figure`` without pyplot's global state and
returns it: a notebook cell that ends with the call shows it once, a test can inspect it,
and ``fig.savefig(...)`` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .initialisation import LayerStatistics
from .runs import check_runs, epoch_spread
from .training import History

#: One marker per run (configuration, initialisation), so the runs of a figure differ by
#: shape as well as by colour: colour alone is no signal to a colour-blind reader, nor in
#: print (WCAG 1.4.1).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Line styles for the runs of a figure that has no other use for them (layer statistics).
LINESTYLES = ("-", "--", ":", "-.")


def run_style(index: int) -> dict:
    """Colour and marker of the ``index``-th run of a figure."""
    return {"color": f"C{index % 10}", "marker": MARKERS[index % len(MARKERS)]}


def plot_learning_curves(
    history: History | Mapping[str, History | Sequence[History]],
    title: str = "Training and validation metrics",
) -> Figure:
    """Loss (left) and accuracy (right) per epoch; train dashed, validation solid, and one
    colour and marker per run.

    Pass one ``History``, or a mapping ``{label: History}`` to compare runs on one figure, or
    ``{label: [History, ...]}`` (one run per seed) to draw each configuration's mean over the
    seeds with a band of ± one standard deviation around it.
    """
    runs = {"": history} if isinstance(history, History) else dict(history)
    if not runs:
        raise ValueError("plot_learning_curves needs at least one History with at least one epoch")
    for label, run in runs.items():
        try:
            check_runs([run] if isinstance(run, History) else run)
        except (TypeError, ValueError) as error:
            raise ValueError(f"plot_learning_curves: run {label!r}: {error}") from None
    fig = Figure(figsize=(11, 4), layout="constrained")
    loss_ax, acc_ax = fig.subplots(1, 2)
    for i, (label, run) in enumerate(runs.items()):
        seeds = [run] if isinstance(run, History) else list(run)
        style_of_run = run_style(i)
        color = style_of_run["color"]
        prefix = f"{label} " if label else ""
        epochs = [stats.epoch for stats in seeds[0].epochs]
        for ax, column, style, name in (
            (loss_ax, "train_loss", "--", "train"),
            (loss_ax, "val_loss", "-", "validation"),
            (acc_ax, "train_acc", "--", "train"),
            (acc_ax, "val_acc", "-", "validation"),
        ):
            values = epoch_spread(seeds, column)
            mean = [value.mean for value in values]
            ax.plot(epochs, mean, style, label=f"{prefix}{name}", markersize=4, **style_of_run)
            if len(seeds) > 1:
                low = [value.mean - value.std for value in values]
                high = [value.mean + value.std for value in values]
                ax.fill_between(epochs, low, high, color=color, alpha=0.15, linewidth=0)
    loss_ax.set(xlabel="epoch", ylabel="loss (mean cross-entropy)", title="Loss")
    acc_ax.set(xlabel="epoch", ylabel="accuracy", title="Accuracy")
    for ax in (loss_ax, acc_ax):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    seeds_counts = {1 if isinstance(run, History) else len(run) for run in runs.values()}
    if seeds_counts != {1}:
        title = f"{title}\n(lines: mean over {'/'.join(map(str, sorted(seeds_counts)))} seeds; bands: ± 1 std)"
    fig.suptitle(title)
    return fig


def plot_layer_statistics(
    statistics: Mapping[str, LayerStatistics],
    title: str = "Signals through a deep network at initialisation",
) -> Figure:
    """Per layer, the std of the activations (left) and of the loss gradients (right), log scale;
    each label has its own colour, marker and line style.

    ``statistics`` maps a label (e.g. an initialisation) to :func:`utils.layer_statistics`' result.
    """
    if not statistics:
        raise ValueError("plot_layer_statistics needs at least one LayerStatistics")
    fig = Figure(figsize=(11, 4), layout="constrained")
    act_ax, grad_ax = fig.subplots(1, 2)
    for i, (label, stats) in enumerate(statistics.items()):
        layers = range(1, len(stats.activation_std) + 1)
        style = {**run_style(i), "linestyle": LINESTYLES[i % len(LINESTYLES)]}
        act_ax.plot(layers, stats.activation_std, label=label, **style)
        grad_ax.plot(layers, stats.gradient_std, label=label, **style)
    act_ax.set(xlabel="linear layer", ylabel="std of its output", title="Forward: activations")
    grad_ax.set(xlabel="linear layer", ylabel="std of d(loss)/d(output)", title="Backward: gradients")
    for ax in (act_ax, grad_ax):
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3, which="both")
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

    With ``predictions``, titles read ``predicted (true)``; mistakes are red and marked ``✗``
    (not by colour alone).
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
            right = guess == true
            ax.set_title(
                f"{guess}\n({true})" if right else f"✗ {guess}\n({true})",
                fontsize="small",
                color="black" if right else "red",
            )
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

"""Several seeded runs of one configuration: their mean and spread (lessons: Q2.5 experiments).

One training run is one draw: another seed gives other starting weights and another batch
order, and the final numbers move by about as much as the small gaps between configurations.
Compare configurations by the mean over a few seeds, and read the spread (the sample standard
deviation over seeds) before calling a difference real.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from .training import History


@dataclass(frozen=True)
class Spread:
    """Mean and sample standard deviation of one number over several runs."""

    mean: float
    std: float

    def __str__(self) -> str:
        return f"{self.mean:.4f} ± {self.std:.4f}"


def spread(values: Sequence[float]) -> Spread:
    """Mean and sample standard deviation (``n - 1`` in the denominator; 0 for a single value)."""
    values = [float(value) for value in values]
    if not values:
        raise ValueError("spread needs at least one value")
    return Spread(statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0)


def check_runs(histories: Sequence[History]) -> None:
    """Raise ``ValueError`` unless ``histories`` are runs of equal, non-zero length."""
    if isinstance(histories, History):
        raise TypeError("pass a list of History objects (one per seed), not a single History")
    if not histories:
        raise ValueError("no runs: pass a list with one History per seed")
    lengths = {len(history) for history in histories}
    if 0 in lengths:
        raise ValueError("a run has no epochs: every History needs at least one epoch")
    if len(lengths) > 1:
        raise ValueError(f"the runs have different numbers of epochs {sorted(lengths)}: train each for the same number")


def epoch_spread(histories: Sequence[History], column: str) -> list[Spread]:
    """Per epoch, the mean and spread of ``column`` (e.g. ``"val_loss"``) over the runs."""
    check_runs(histories)
    columns = [history.column(column) for history in histories]
    return [spread(values) for values in zip(*columns)]


@dataclass(frozen=True)
class RunSummary:
    """The last epoch's numbers (and the lowest validation loss) of several runs, as mean ± std."""

    runs: int
    epochs: int
    train_loss: Spread
    val_loss: Spread
    val_acc: Spread
    best_val_loss: Spread

    def __str__(self) -> str:
        return (
            f"train loss {self.train_loss} | val loss {self.val_loss}, val acc {self.val_acc} | "
            f"best val loss {self.best_val_loss} (mean ± std over {self.runs} seeds, {self.epochs} epochs)"
        )


def summarize_runs(histories: Sequence[History]) -> RunSummary:
    """Mean ± std over the runs of the final train loss, val loss, val accuracy and the best val loss."""
    check_runs(histories)
    last = [history.epochs[-1] for history in histories]
    return RunSummary(
        runs=len(histories),
        epochs=len(histories[0]),
        train_loss=spread([stats.train_loss for stats in last]),
        val_loss=spread([stats.val_loss for stats in last]),
        val_acc=spread([stats.val_acc for stats in last]),
        best_val_loss=spread([min(history.val_loss) for history in histories]),
    )

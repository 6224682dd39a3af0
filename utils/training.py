"""Running a training loop for several epochs, and a per-epoch history (lessons: Q2.4-6, Q3).

The loop itself is the student's: ``fit`` takes the ``train_one_epoch`` and ``evaluate``
written in question 2.4 and runs them epoch after epoch, with a learning-rate scheduler,
a progress bar and an ``on_epoch_end`` callback, recording a :class:`History`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]
#: ``train_one_epoch(model, loader, criterion, optimizer, device) -> (mean loss, accuracy)``
TrainEpoch = Callable[[nn.Module, Batches, nn.Module, torch.optim.Optimizer, torch.device], tuple[float, float]]
#: ``evaluate(model, loader, criterion, device) -> (mean loss, accuracy)``
Evaluate = Callable[[nn.Module, Batches, nn.Module, torch.device], tuple[float, float]]


@dataclass
class EpochStats:
    """One epoch's numbers. Losses are means over samples; accuracies are fractions in [0, 1]."""

    epoch: int
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    lr: float
    seconds: float


@dataclass
class History:
    """What ``fit`` records: one :class:`EpochStats` per epoch, plus column views."""

    epochs: list[EpochStats] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.epochs)

    def column(self, name: str) -> list[float]:
        return [getattr(stats, name) for stats in self.epochs]

    @property
    def train_loss(self) -> list[float]:
        return self.column("train_loss")

    @property
    def val_loss(self) -> list[float]:
        return self.column("val_loss")

    @property
    def train_acc(self) -> list[float]:
        return self.column("train_acc")

    @property
    def val_acc(self) -> list[float]:
        return self.column("val_acc")

    @property
    def lr(self) -> list[float]:
        return self.column("lr")

    @property
    def seconds(self) -> list[float]:
        return self.column("seconds")

    def as_dict(self) -> dict[str, list[float]]:
        return {key: self.column(key) for key in asdict(EpochStats(0, 0, 0, 0, 0, 0, 0))}


def predict(model: nn.Module, loader: Batches, device: torch.device | str) -> tuple[torch.Tensor, torch.Tensor]:
    """``(labels (N,), predicted classes (N,))`` on the CPU, for confusion matrices."""
    model.eval()
    labels, predictions = [], []
    with torch.no_grad():
        for inputs, batch_labels in loader:
            outputs = model(inputs.to(device, non_blocking=True))
            predictions.append(outputs.argmax(dim=1).cpu())
            labels.append(batch_labels.cpu())
    return torch.cat(labels), torch.cat(predictions)


def fit(
    model: nn.Module,
    train_loader: Batches,
    val_loader: Batches,
    criterion: nn.Module,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    device: torch.device | str,
    *,
    train_one_epoch: TrainEpoch,
    evaluate: Evaluate,
    scheduler: torch.optim.lr_scheduler.LRScheduler | torch.optim.lr_scheduler.ReduceLROnPlateau | None = None,
    start_epoch: int = 0,
    progress: bool = True,
    on_epoch_end: Callable[[EpochStats], None] | None = None,
) -> History:
    """Train epochs ``start_epoch .. epochs - 1`` with your loop; validate after each; return the :class:`History`.

    ``train_one_epoch`` and ``evaluate`` are your functions from question 2.4, each returning
    ``(mean loss per sample, accuracy)``.

    ``ReduceLROnPlateau`` steps with the validation loss, any other scheduler once per epoch.
    ``on_epoch_end(stats)`` runs after each epoch (e.g. to save a checkpoint). Pass
    ``start_epoch=k`` to continue a run resumed from a checkpoint saved after ``k`` epochs.
    """
    device = torch.device(device)
    history = History()
    bar = tqdm(range(start_epoch, epochs), desc="epochs", disable=not progress, leave=True)
    for epoch in bar:
        lr = optimizer.param_groups[0]["lr"]
        start = time.perf_counter()
        train_loss, train_acc = train_one_epoch(model, train_loader, criterion, optimizer, device)
        val_loss, val_acc = evaluate(model, val_loader, criterion, device)
        if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            scheduler.step(val_loss)
        elif scheduler is not None:
            scheduler.step()
        stats = EpochStats(epoch + 1, train_loss, train_acc, val_loss, val_acc, lr, time.perf_counter() - start)
        history.epochs.append(stats)
        bar.set_postfix(train_loss=f"{train_loss:.4f}", val_loss=f"{val_loss:.4f}", val_acc=f"{val_acc:.4f}")
        if on_epoch_end is not None:
            on_epoch_end(stats)
    return history

"""The training loop, running it for several epochs, and a per-epoch history (lessons: Q2.4-6, Q3).

``train_one_epoch`` and ``evaluate`` are yours to write (question 2.4), in this file: the
notebooks import them as ``utils.train_one_epoch`` and ``utils.evaluate``. ``fit`` runs them
epoch after epoch, with a learning-rate scheduler, a progress bar and an ``on_epoch_end``
callback, recording a :class:`History`.

``fit`` watches what it can without changing the loop: it checks the device and the loaders
before the first epoch, each batch's labels and loss as they reach the criterion, and what
the loop returns. A NaN loss stops training at once, naming the epoch and the batch; Ctrl-C
keeps the finished epochs (``error.history``).
"""

from __future__ import annotations

import contextlib
import math
import numbers
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from .device import module_device, require_device, same_device
from .metrics import check_class_labels

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]
#: ``train_one_epoch(model, loader, criterion, optimizer, device) -> (mean loss, accuracy)``
TrainEpoch = Callable[[nn.Module, Batches, nn.Module, torch.optim.Optimizer, torch.device], tuple[float, float]]
#: ``evaluate(model, loader, criterion, device) -> (mean loss, accuracy)``
Evaluate = Callable[[nn.Module, Batches, nn.Module, torch.device], tuple[float, float]]


# Part 2.4: the training loop. Write the two functions below, save this file, then rerun the
# self-check cell of 2.4 in the notebook (its autoreload picks up the new version).
def train_one_epoch(
    model: nn.Module, loader: Batches, criterion: nn.Module, optimizer: torch.optim.Optimizer, device: torch.device
) -> tuple[float, float]:
    """One pass over ``loader`` in training mode; returns ``(mean loss per sample, accuracy)``."""
    ### BEGIN SOLUTION
    model.train()
    total_loss, correct, count = 0.0, 0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
        correct += (outputs.argmax(dim=1) == labels).sum().item()
        count += len(labels)
    return total_loss / count, correct / count
    ### END SOLUTION


def evaluate(model: nn.Module, loader: Batches, criterion: nn.Module, device: torch.device) -> tuple[float, float]:
    """``(mean loss per sample, accuracy)`` over ``loader``, in eval mode and without gradients."""
    ### BEGIN SOLUTION
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            total_loss += criterion(outputs, labels).item() * len(labels)
            correct += (outputs.argmax(dim=1) == labels).sum().item()
            count += len(labels)
    return total_loss / count, correct / count
    ### END SOLUTION


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


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite; ``epoch``, ``batch`` (``None`` if unknown), ``phase`` and
    ``history`` (the finished epochs) say where."""

    def __init__(self, message: str, epoch: int, batch: int | None, phase: str) -> None:
        super().__init__(message)
        self.epoch, self.batch, self.phase = epoch, batch, phase
        self.history: History | None = None


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C (or a kernel interrupt) during :func:`fit`; ``history`` holds the finished epochs."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


_NAN_HINT = (
    "Usual causes: a learning rate too high (try 10x smaller), inputs with NaN or infinity "
    "(torch.isfinite(x).all()), or inputs that are not normalised."
)


class _CriterionGuard:
    """Hooks on the criterion: class-index labels in range before each call, a finite loss after it.

    It counts the criterion's calls in the current phase, which is the batch number when the
    loop computes the loss once per batch.
    """

    CLASS_INDEX_LOSSES = (nn.CrossEntropyLoss, nn.NLLLoss)

    def __init__(self, criterion: Any) -> None:
        self.epoch, self.phase, self.calls = 0, "training", 0
        self.handles = []
        if isinstance(criterion, nn.Module):
            self.handles.append(criterion.register_forward_pre_hook(self.check_labels))
            self.handles.append(criterion.register_forward_hook(self.check_loss))

    def start(self, epoch: int, phase: str) -> None:
        self.epoch, self.phase, self.calls = epoch, phase, 0

    def where(self) -> str:
        return f"epoch {self.epoch}, {self.phase} batch {self.calls}"

    def check_labels(self, criterion: nn.Module, args: tuple) -> None:
        self.calls += 1
        if not isinstance(criterion, self.CLASS_INDEX_LOSSES) or len(args) != 2:
            return
        outputs, labels = args
        if not isinstance(outputs, torch.Tensor) or outputs.dim() != 2:
            return  # not (N, C) scores: leave it to the criterion
        try:
            check_class_labels(outputs, labels, name="labels", ignore_index=getattr(criterion, "ignore_index", None))
        except (ValueError, TypeError) as error:
            raise type(error)(f"{self.where()}: {error} (fit trains classifiers on class indices)") from None

    def check_loss(self, criterion: nn.Module, args: tuple, loss: Any) -> None:
        if isinstance(loss, torch.Tensor) and not loss.is_meta and not bool(torch.isfinite(loss).all()):
            raise NonFiniteLossError(
                f"the loss is {loss.detach().flatten()[0].item()} at {self.where()}: training stopped there. "
                + _NAN_HINT,
                self.epoch,
                self.calls,
                self.phase,
            )

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


def _loop_result(result: Any, name: str, epoch: int) -> tuple[float, float]:
    """``(loss, accuracy)`` returned by the student's loop, as floats, checked."""
    what = "train_one_epoch" if name == "training" else "evaluate"
    try:
        loss, acc = result
        loss, acc = float(loss), float(acc)
    except (TypeError, ValueError, RuntimeError) as error:
        raise TypeError(
            f"{what} returned {result!r} in epoch {epoch}; fit needs (mean loss, accuracy), two numbers"
        ) from error
    if not math.isfinite(loss):
        raise NonFiniteLossError(
            f"{what} returned a mean loss of {loss} in epoch {epoch}: training stopped. " + _NAN_HINT,
            epoch,
            None,
            name,
        )
    if not 0.0 <= acc <= 1.0:
        raise ValueError(
            f"{what} returned accuracy {acc} in epoch {epoch}; fit expects a fraction in [0, 1] "
            "(correct predictions / samples, not a percentage)"
        )
    return loss, acc


def _check_batches(loader: Any, name: str) -> None:
    """A loader with a length must have batches: an empty one would fail only after a whole epoch."""
    try:
        batches = len(loader)
    except TypeError:
        return  # a plain iterable: nothing to check before iterating
    if batches == 0:
        dataset = getattr(loader, "dataset", None)
        samples = f" ({len(dataset)} samples)" if dataset is not None and hasattr(dataset, "__len__") else ""
        raise ValueError(
            f"{name} has no batches{samples}: nothing to {'train on' if name == 'train_loader' else 'evaluate'}. "
            "Fix: give it samples (e.g. tensor_loaders(val_fraction=0.1)), or a smaller batch_size with drop_last"
        )


def _check_model_on(model: nn.Module, device: torch.device, who: str) -> None:
    try:
        where = module_device(model)
    except ValueError as error:
        raise ValueError(f"{who}: {error}") from None
    if where is not None and not same_device(where, device):
        raise ValueError(f"{who}: the model is on {where} but device={device}. Fix: model.to(device) first")


def predict(model: nn.Module, loader: Batches, device: torch.device | str) -> tuple[torch.Tensor, torch.Tensor]:
    """``(labels (N,), predicted classes (N,))`` on the CPU, for confusion matrices.

    Runs in eval mode without gradients; the model's mode is restored afterwards.

    Raises:
        ValueError: a model that is not on ``device`` (or on ``meta``), or a loader without batches.
    """
    device = require_device(device)
    _check_model_on(model, device, "predict")
    _check_batches(loader, "the loader")
    was_training = model.training
    model.eval()
    labels, predictions = [], []
    try:
        with torch.no_grad():
            for inputs, batch_labels in loader:
                outputs = model(inputs.to(device, non_blocking=True))
                predictions.append(outputs.argmax(dim=1).cpu())
                labels.append(batch_labels.cpu())
    finally:
        model.train(was_training)
    if not labels:
        raise ValueError(
            "predict: the loader yielded no batches, so there is nothing to predict; pass a loader with samples"
        )
    return torch.cat(labels), torch.cat(predictions)


def _this_module() -> Any:
    """This module as ``sys.modules`` holds it now (after an autoreload: the reloaded one)."""
    return sys.modules[__name__]


def fit(
    model: nn.Module,
    train_loader: Batches,
    val_loader: Batches,
    criterion: nn.Module,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    device: torch.device | str,
    *,
    train_one_epoch: TrainEpoch | None = None,
    evaluate: Evaluate | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | torch.optim.lr_scheduler.ReduceLROnPlateau | None = None,
    start_epoch: int = 0,
    progress: bool = True,
    on_epoch_end: Callable[[EpochStats], None] | None = None,
) -> History:
    """Train epochs ``start_epoch .. epochs - 1`` with your loop; validate after each; return the :class:`History`.

    ``train_one_epoch`` and ``evaluate`` default to this module's, your functions of question 2.4
    (looked up at each call, so an edit of this file that autoreload picked up takes effect); pass
    others to train with another loop. Each returns ``(mean loss per sample, accuracy)``; the
    accuracy is a fraction in [0, 1].

    ``ReduceLROnPlateau`` steps with the validation loss, any other scheduler once per epoch.
    ``on_epoch_end(stats)`` runs after each epoch (e.g. to save a checkpoint). Pass
    ``start_epoch=k`` to continue a run resumed from a checkpoint saved after ``k`` epochs.

    Checked before the first epoch: the device exists and holds the model; both loaders have
    batches. Checked on every call of ``criterion`` (an ``nn.Module``): for
    ``CrossEntropyLoss``/``NLLLoss``, that the labels are class indices ``(N,)`` in range, and
    for any criterion that the loss is finite.

    Raises:
        NonFiniteLossError: the loss became NaN or infinite; training stops at once and the
            message names the epoch and the batch. ``error.history`` holds the finished epochs.
        TrainingInterrupted: Ctrl-C (a ``KeyboardInterrupt``). The epochs finished before it are
            in ``error.history`` (in a notebook, after the cell stopped: ``sys.last_value.history``);
            the model holds the weights of the interrupted epoch's last step.
        ValueError, TypeError: a bad device, model, loader, label or loop result, with the fix.
            Any other error from your loop or callback gets ``error.history`` too.
    """
    train_one_epoch = _this_module().train_one_epoch if train_one_epoch is None else train_one_epoch
    evaluate = _this_module().evaluate if evaluate is None else evaluate
    device = require_device(device)
    _check_model_on(model, device, "fit")
    _check_batches(train_loader, "train_loader")
    _check_batches(val_loader, "val_loader")
    for name, function in (("train_one_epoch", train_one_epoch), ("evaluate", evaluate)):
        if not callable(function):
            raise TypeError(f"{name} must be your function from question 2.4, got {type(function).__name__}")
    for name, value in (("epochs", epochs), ("start_epoch", start_epoch)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"{name} must be a whole number of epochs (0 or more), got {value!r}")
    if start_epoch > epochs or (start_epoch == epochs and start_epoch > 0):
        raise ValueError(
            f"fit(start_epoch={start_epoch}, epochs={epochs}) has no epoch to train: `epochs` is the epoch to train "
            f"up to, counted from the start of the run, not the number still to train. To train {max(epochs, 1)} "
            f"more after epoch {start_epoch}, pass start_epoch={start_epoch}, epochs={start_epoch + max(epochs, 1)}"
        )
    history = History()
    guard = _CriterionGuard(criterion)
    bar = tqdm(range(start_epoch, epochs), desc="epochs", disable=not progress, leave=True)
    epoch = start_epoch
    try:
        for epoch in bar:
            lr = optimizer.param_groups[0]["lr"]
            start = time.perf_counter()
            guard.start(epoch + 1, "training")
            train_loss, train_acc = _loop_result(
                train_one_epoch(model, train_loader, criterion, optimizer, device), "training", epoch + 1
            )
            guard.start(epoch + 1, "validation")
            val_loss, val_acc = _loop_result(evaluate(model, val_loader, criterion, device), "validation", epoch + 1)
            if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                scheduler.step(val_loss)
            elif scheduler is not None:
                scheduler.step()
            stats = EpochStats(epoch + 1, train_loss, train_acc, val_loss, val_acc, lr, time.perf_counter() - start)
            history.epochs.append(stats)
            bar.set_postfix(train_loss=f"{train_loss:.4f}", val_loss=f"{val_loss:.4f}", val_acc=f"{val_acc:.4f}")
            if on_epoch_end is not None:
                on_epoch_end(stats)
    except TrainingInterrupted:
        raise
    except KeyboardInterrupt:
        raise TrainingInterrupted(
            f"training interrupted in epoch {epoch + 1}; the {len(history)} finished epochs are in error.history",
            history,
        ) from None
    except Exception as error:
        with contextlib.suppress(AttributeError, TypeError):
            error.history = history
        raise
    finally:
        guard.remove()
        bar.close()
    return history

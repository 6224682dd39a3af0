"""Checkpoints that can be trusted (lessons: Q3.2 "Comprehensive checkpoints", Q3.3 resuming, Q3.4).

Compared with the guide's ``save_checkpoint`` / ``load_checkpoint``, these:

* write atomically: to a temporary file in the same folder, then ``os.replace``. A crash
  half-way leaves the previous checkpoint intact, never a truncated one;
* refuse to overwrite an existing file unless ``overwrite=True``;
* hold model, optimizer and scheduler state, the epoch and your metrics. RNG states are not
  stored: saving and restoring them for a bit-exact resume is question 3.3;
* load with ``weights_only=True``: a checkpoint can hold tensors and plain containers but
  cannot run code when it is opened;
* turn every failure (missing, truncated, corrupt, another architecture) into one
  :class:`CheckpointError` that names the file and what differs.
"""

from __future__ import annotations

import datetime
import os
import pickle
import re
import zipfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .atomic import atomic_write
from .errors import first_line

FORMAT = "hw08-checkpoint"
VERSION = 1


class CheckpointError(RuntimeError):
    """A checkpoint cannot be written or read; the message names the file and the fix."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """The checkpoint file does not exist."""


def save_checkpoint(
    path: str | os.PathLike[str],
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: Any | None = None,
    epoch: int = 0,
    overwrite: bool = False,
    **metrics: float,
) -> Path:
    """Write model, optimizer, scheduler, epoch and ``metrics`` to ``path`` atomically.

    Returns the path written. Raises :class:`CheckpointError` if ``path`` exists and
    ``overwrite`` is false (nothing you saved is replaced silently).
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise CheckpointError(
            f"{path} already exists. Pass overwrite=True to replace it, "
            "or choose another name (checkpoint_filename() adds a timestamp)."
        )
    for name, value in metrics.items():
        if not isinstance(value, (int, float, str, bool)) and value is not None:
            raise CheckpointError(f"metric {name}={value!r} must be a number or a string, not {type(value).__name__}")
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "torch_version": str(torch.__version__),
        "model_class": type(model).__name__,
        "epoch": int(epoch),
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict() if optimizer is not None else None,
        "scheduler_state_dict": scheduler.state_dict() if scheduler is not None else None,
        "metrics": dict(metrics),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as handle:
        torch.save(payload, handle)
    return path


def _state_dict_differences(expected: dict[str, torch.Tensor], found: dict[str, torch.Tensor]) -> list[str]:
    problems = []
    missing = [key for key in expected if key not in found]
    unexpected = [key for key in found if key not in expected]
    if missing:
        problems.append(f"missing from the file: {', '.join(missing)}")
    if unexpected:
        problems.append(f"in the file but not in the model: {', '.join(unexpected)}")
    for key in expected.keys() & found.keys():
        if tuple(expected[key].shape) != tuple(found[key].shape):
            problems.append(f"{key}: file has shape {tuple(found[key].shape)}, model has {tuple(expected[key].shape)}")
    return sorted(problems)


def read_checkpoint(path: str | os.PathLike[str], map_location: Any = "cpu") -> dict[str, Any]:
    """The checkpoint's contents, checked to be one of ours, loaded with ``weights_only=True``."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointNotFoundError(f"{path}: no such checkpoint file (check the folder and the name)")
    if not zipfile.is_zipfile(path):
        raise CheckpointError(
            f"{path} is truncated or corrupt: it is not the zip archive torch.save writes "
            f"({path.stat().st_size} bytes). Use an earlier checkpoint; this one cannot be recovered."
        )
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        reason = next((line for line in lines if "Unsupported global" in line), lines[0] if lines else "")
        raise CheckpointError(
            f"{path} holds objects that weights_only=True refuses to load ({reason}). "
            "Only open such a file with weights_only=False if you trust whoever wrote it: unpickling can run code."
        ) from error
    except (RuntimeError, EOFError, OSError, zipfile.BadZipFile, ValueError) as error:
        message = first_line(error)
        if "CUDA" in message or "device" in message.lower():
            raise CheckpointError(
                f"{path} was saved on a device this machine lacks ({message}). "
                "Fix: load_checkpoint(..., map_location='cpu') or your get_device()."
            ) from error
        raise CheckpointError(
            f"{path} is truncated or corrupt: torch.load failed with {message}. "
            "Use an earlier checkpoint; this one cannot be recovered."
        ) from error
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(
            f"{path} is a readable torch file but not a checkpoint written by utils.save_checkpoint "
            "(a bare state_dict? load it with model.load_state_dict(torch.load(path)))."
        )
    return payload


def load_checkpoint(
    path: str | os.PathLike[str],
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: Any | None = None,
    map_location: Any = None,
) -> dict[str, Any]:
    """Restore ``model`` (and optimizer, scheduler) from ``path``.

    ``map_location`` defaults to the device of the model's parameters, so a checkpoint
    saved on a GPU loads on a CPU-only laptop. Returns ``{"epoch": ..., **metrics}``.

    Raises:
        CheckpointError: missing, truncated, corrupt or foreign file, or a model whose
            parameters differ from the file's (the message lists the keys and shapes).
    """
    if map_location is None:
        parameter = next(model.parameters(), None)
        map_location = parameter.device if parameter is not None else "cpu"
    payload = read_checkpoint(path, map_location=map_location)
    state = payload["model_state_dict"]
    differences = _state_dict_differences(model.state_dict(), state)
    if differences:
        raise CheckpointError(
            f"{path} was saved from a different architecture ({payload['model_class']}) than "
            f"this {type(model).__name__}:\n  - " + "\n  - ".join(differences)
        )
    if optimizer is not None and payload["optimizer_state_dict"] is None:
        raise CheckpointError(f"{path} holds no optimizer state; load without optimizer= or save one")
    if scheduler is not None and payload["scheduler_state_dict"] is None:
        raise CheckpointError(f"{path} holds no scheduler state; load without scheduler= or save one")
    model.load_state_dict(state)
    if optimizer is not None:
        try:
            optimizer.load_state_dict(payload["optimizer_state_dict"])
        except (ValueError, KeyError) as error:
            raise CheckpointError(f"{path}: the optimizer state does not fit this optimizer: {error}") from error
    if scheduler is not None:
        scheduler.load_state_dict(payload["scheduler_state_dict"])
    return {"epoch": payload["epoch"], **payload["metrics"]}


_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def checkpoint_filename(
    model_name: str,
    epoch: int,
    accuracy: float | None = None,
    when: datetime.datetime | None = None,
) -> str:
    """``{model_name}_{YYYYmmdd_HHMMSS}_epoch{epoch}[_acc{accuracy:.2f}].pth``, as in the guide.

    ``when`` defaults to now; pass it to get a reproducible name.
    """
    if not _NAME_PATTERN.match(model_name):
        raise ValueError(
            f"model_name {model_name!r} must be letters, digits, '_', '.', '-' (no path separators or spaces)"
        )
    timestamp = (when or datetime.datetime.now()).strftime("%Y%m%d_%H%M%S")
    if accuracy is not None:
        return f"{model_name}_{timestamp}_epoch{epoch}_acc{accuracy:.2f}.pth"
    return f"{model_name}_{timestamp}_epoch{epoch}.pth"

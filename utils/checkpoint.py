"""Checkpoints that can be trusted (lessons: Q3.2 "Comprehensive checkpoints", Q3.3 resuming, Q3.4).

Compared with the guide's ``save_checkpoint`` / ``load_checkpoint``, these:

* write atomically: to a temporary file in the same folder, then move it into place. A crash
  half-way leaves the previous checkpoint intact, never a truncated one; the temporary files
  of earlier killed saves are removed;
* refuse to overwrite an existing file unless ``overwrite=True``, even when another program
  creates the file while this one is writing;
* hold model, optimizer and scheduler state (with their classes), the epoch and your metrics.
  RNG states are not stored: saving and restoring them for a bit-exact resume is question 3.3;
* load with ``weights_only=True``: a checkpoint can hold tensors and plain containers but
  cannot run code when it is opened;
* load all or nothing: the whole file is checked first (every record's CRC, the structure, the
  model's keys and shapes, the optimizer's and scheduler's classes and parameter groups), and
  only then are model, optimizer and scheduler changed;
* turn every failure (missing, truncated, corrupt, another architecture, a full disk, a folder
  you cannot write to) into one :class:`CheckpointError` that names the file and the fix.
"""

from __future__ import annotations

import copy
import datetime
import errno
import io
import numbers
import operator
import os
import pickle
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from .atomic import atomic_write
from .device import refuse_meta
from .errors import first_line

FORMAT = "hw08-checkpoint"
VERSION = 1

#: Per-parameter buffers of torch's optimizers: each has the shape of its parameter.
PARAMETER_SHAPED_STATE = frozenset(
    {"momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "square_avg", "acc_delta", "sum", "grad_avg", "ax"}
)


class CheckpointError(RuntimeError):
    """A checkpoint cannot be written or read; the message names the file and the fix."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """The checkpoint file does not exist."""


def _epoch_number(epoch: Any) -> int:
    if isinstance(epoch, (bool, np.bool_)) or not isinstance(epoch, (numbers.Integral, np.integer)):
        raise CheckpointError(
            f"epoch must be a whole number of finished epochs (an int), got {type(epoch).__name__} {epoch!r}"
        )
    number = operator.index(epoch)
    if number < 0:
        raise CheckpointError(f"epoch must be 0 or more (the number of finished epochs), got {number}")
    return number


def _metric_value(name: str, value: Any) -> bool | int | float | str | None:
    """A metric as a plain Python value: ``weights_only=True`` refuses NumPy scalars."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.device.type != "meta":
        value = value.item()
    if isinstance(value, np.generic) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise CheckpointError(
        f"metric {name}={value!r} must be a number or a string, not {type(value).__name__} "
        "(a one-element tensor works too; save lists and arrays in a separate file)"
    )


def _write_error(path: Path, error: OSError, size: int) -> CheckpointError:
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return CheckpointError(
            f"cannot write {path}: the disk is full ({size / 1e6:.1f} MB needed; {error.strerror}). "
            "Fix: free some space (old checkpoints, caches) or save to a folder on another disk. "
            "The previous file under that name, if any, is unchanged."
        )
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return CheckpointError(
            f"cannot write {path}: no permission to write in {path.parent} ({error.strerror}). "
            "Fix: save into a folder you own (e.g. next to your notebook) or change the folder's permissions."
        )
    return CheckpointError(f"cannot write {path}: {first_line(error)}")


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

    ``epoch`` is an ``int``; each metric is a number, a string, ``None`` or a one-element
    tensor (NumPy and tensor numbers are stored as plain Python numbers). Returns the path written.

    Raises:
        CheckpointError: ``path`` exists and ``overwrite`` is false (nothing you saved is
            replaced silently), a bad ``epoch`` or metric, a model on the meta device, a full
            disk or a folder you cannot write to. On any error the previous file is unchanged.
    """
    path = Path(path)
    epoch = _epoch_number(epoch)
    values = {name: _metric_value(name, value) for name, value in metrics.items()}
    try:
        refuse_meta(model)
    except ValueError as error:
        raise CheckpointError(f"cannot save {path}: {error}") from error
    exists_message = (
        f"{path} already exists. Pass overwrite=True to replace it, "
        "or choose another name (checkpoint_filename() adds a timestamp)."
    )
    if path.exists() and not overwrite:
        raise CheckpointError(exists_message)
    payload: dict[str, Any] = {"format": FORMAT, "version": VERSION, "torch_version": str(torch.__version__)}
    payload["epoch"], payload["metrics"] = epoch, values
    for role, holder in _roles(model, optimizer, scheduler):  # <role>_class, <role>_state_dict
        payload[f"{role}_class"] = None if holder is None else type(holder).__name__
        payload[f"{role}_state_dict"] = None if holder is None else holder.state_dict()
    # Serialise in memory first: torch's writer hides the OS error (a full disk reads
    # "unexpected pos ..."); a plain write keeps its errno.
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    data = buffer.getbuffer()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, overwrite=overwrite) as handle:
            handle.write(data)
    except FileExistsError as error:
        raise CheckpointError(exists_message + " (Another program created it while this one was writing.)") from error
    except OSError as error:
        raise _write_error(path, error, len(data)) from error
    return path


def _state_dict_differences(expected: Mapping[str, torch.Tensor], found: Mapping[str, torch.Tensor]) -> list[str]:
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


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _structure_problems(payload: dict[str, Any]) -> list[str]:
    """What is missing or of the wrong type in a payload that claims to be a checkpoint."""
    problems = []
    version = payload.get("version")
    if not isinstance(version, int) or version > VERSION:
        problems.append(f"version {version!r}: written by another version of utils (this one reads {VERSION})")
    epoch = payload.get("epoch")
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        problems.append(f"epoch is {epoch!r}, not a whole number")
    state = payload.get("model_state_dict")
    if not isinstance(state, dict):
        problems.append("model_state_dict is missing")
    elif not all(isinstance(key, str) and isinstance(value, torch.Tensor) for key, value in state.items()):
        problems.append("model_state_dict holds something other than named tensors")
    optimizer_state = payload.get("optimizer_state_dict", "missing")
    if optimizer_state is not None and not (
        isinstance(optimizer_state, dict)
        and isinstance(optimizer_state.get("state"), dict)
        and isinstance(optimizer_state.get("param_groups"), list)
        and all(
            isinstance(group, dict) and isinstance(group.get("params"), list)
            for group in optimizer_state["param_groups"]
        )
    ):
        problems.append("optimizer_state_dict is missing or has no state and param_groups")
    scheduler_state = payload.get("scheduler_state_dict", "missing")
    if scheduler_state is not None and not isinstance(scheduler_state, dict):
        problems.append("scheduler_state_dict is missing or not a dict")
    for key in ("model_class", "optimizer_class", "scheduler_class"):
        if not (payload.get(key) is None or isinstance(payload[key], str)):
            problems.append(f"{key} is {payload[key]!r}, not a class name")
    metrics = payload.get("metrics")
    if not isinstance(metrics, dict) or not all(isinstance(k, str) and _is_scalar(v) for k, v in metrics.items()):
        problems.append("metrics are missing or not numbers and strings")
    return problems


def _check_archive(path: Path) -> None:
    """Every record of the zip archive ``torch.save`` writes is there and passes its CRC check."""
    damaged = f"{path} is truncated or corrupt: {{}}. Use an earlier checkpoint; this one cannot be recovered."
    if not zipfile.is_zipfile(path):
        raise CheckpointError(
            damaged.format(f"it is not the zip archive torch.save writes ({path.stat().st_size} bytes)")
        )
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError) as error:
        raise CheckpointError(damaged.format(f"its zip archive cannot be read ({first_line(error)})")) from error
    if bad is not None:
        raise CheckpointError(damaged.format(f"record {bad} fails its CRC check (bytes changed on disk or in a copy)"))


def read_checkpoint(path: str | os.PathLike[str], map_location: Any = "cpu") -> dict[str, Any]:
    """The checkpoint's contents, checked whole, loaded with ``weights_only=True``.

    Checked: the archive's CRCs, that it is one of ours, and the type of every entry.
    Nothing is changed anywhere: this is the first half of :func:`load_checkpoint`.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointNotFoundError(f"{path}: no such checkpoint file (check the folder and the name)")
    _check_archive(path)
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
    problems = _structure_problems(payload)
    if problems:
        raise CheckpointError(
            f"{path} is damaged or was edited: it has the checkpoint marker but\n  - "
            + "\n  - ".join(problems)
            + "\nUse an earlier checkpoint."
        )
    return payload


def _optimizer_differences(optimizer: torch.optim.Optimizer, saved: dict[str, Any]) -> list[str]:
    groups, saved_groups = optimizer.param_groups, saved["param_groups"]
    if len(groups) != len(saved_groups):
        return [f"the file has {len(saved_groups)} parameter groups, this optimizer {len(groups)}"]
    problems = []
    for index, (group, saved_group) in enumerate(zip(groups, saved_groups)):
        if len(group["params"]) != len(saved_group["params"]):
            problems.append(
                f"parameter group {index}: the file has {len(saved_group['params'])} parameters, "
                f"this optimizer {len(group['params'])}"
            )
            continue
        for position, (parameter, key) in enumerate(zip(group["params"], saved_group["params"])):
            for name, value in saved["state"].get(key, {}).items():
                if (
                    name in PARAMETER_SHAPED_STATE
                    and isinstance(value, torch.Tensor)
                    and value.shape != parameter.shape
                ):
                    problems.append(
                        f"parameter group {index}, parameter {position}: {name} has shape {tuple(value.shape)}, "
                        f"the parameter {tuple(parameter.shape)}"
                    )
    return problems


def _an(noun: str) -> str:
    """``noun`` with its indefinite article: "an optimizer", "a scheduler"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _class_mismatch(path: Path, what: str, saved: str | None, current: Any) -> CheckpointError | None:
    if saved is None or saved == type(current).__name__:
        return None
    return CheckpointError(
        f"{path} holds the state of {_an(what)} of class {saved}, but this {what} is of class "
        f"{type(current).__name__}. Fix: create the {what} with class {saved} as when saving, or load without "
        f"{what}= to restore the rest."
    )


def _roles(model: nn.Module, optimizer: Any | None, scheduler: Any | None) -> list[tuple[str, Any]]:
    """The objects a checkpoint holds the state of, by the role that names their entries."""
    return [("model", model), ("optimizer", optimizer), ("scheduler", scheduler)]


def _apply(
    payload: dict[str, Any],
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None,
    scheduler: Any | None,
) -> None:
    """Load the states of the objects given; if one fails, put every one back as it was and re-raise."""
    present = [(role, holder) for role, holder in _roles(model, optimizer, scheduler) if holder is not None]
    backups = [copy.deepcopy(holder.state_dict()) for _, holder in present]
    try:
        for role, holder in present:
            holder.load_state_dict(payload[f"{role}_state_dict"])
    except BaseException:
        for (_, holder), backup in zip(present, backups):
            holder.load_state_dict(backup)
        raise


def load_checkpoint(
    path: str | os.PathLike[str],
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: Any | None = None,
    map_location: Any = "cpu",
) -> dict[str, Any]:
    """Restore ``model`` (and optimizer, scheduler) from ``path``, all or nothing.

    The file is read to ``map_location`` (the CPU by default) and checked whole first; the
    states are then copied into the model, optimizer and scheduler wherever they live (a
    checkpoint saved on a GPU loads on a CPU-only laptop and the other way round). If any
    check or step fails, model, optimizer and scheduler are left exactly as they were.
    Returns ``{"epoch": ..., **metrics}``.

    Raises:
        CheckpointError: missing, truncated, corrupt or foreign file; a model whose parameters
            differ from the file's (the message lists the keys and shapes) or that lives on the
            meta device; an optimizer or scheduler of another class or with other parameter groups.
    """
    path = Path(path)
    payload = read_checkpoint(path, map_location=map_location)
    try:
        refuse_meta(model)
    except ValueError as error:
        raise CheckpointError(f"cannot load {path} into this model: {error}") from error
    differences = _state_dict_differences(model.state_dict(), payload["model_state_dict"])
    if differences:
        raise CheckpointError(
            f"{path} was saved from a different architecture ({payload['model_class']}) than "
            f"this {type(model).__name__}:\n  - " + "\n  - ".join(differences)
        )
    if optimizer is not None:
        if payload["optimizer_state_dict"] is None:
            raise CheckpointError(f"{path} holds no optimizer state; load without optimizer= or save one")
        mismatch = _class_mismatch(path, "optimizer", payload.get("optimizer_class"), optimizer)
        if mismatch is not None:
            raise mismatch
        problems = _optimizer_differences(optimizer, payload["optimizer_state_dict"])
        if problems:
            raise CheckpointError(
                f"{path}: the optimizer state does not fit this optimizer's parameters:\n  - "
                + "\n  - ".join(problems)
                + "\nFix: build the optimizer over the same parameters, in the same groups, as when saving."
            )
    if scheduler is not None:
        if payload["scheduler_state_dict"] is None:
            raise CheckpointError(f"{path} holds no scheduler state; load without scheduler= or save one")
        mismatch = _class_mismatch(path, "scheduler", payload.get("scheduler_class"), scheduler)
        if mismatch is not None:
            raise mismatch
    try:
        _apply(payload, model, optimizer, scheduler)
    except Exception as error:
        raise CheckpointError(
            f"{path} could not be loaded ({first_line(error)}); model, optimizer and scheduler are unchanged"
        ) from error
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

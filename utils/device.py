"""Choosing and describing the compute device (lessons: Q1.5 "Devices", every setup cell).

``get_device()`` is the one place that decides where tensors live. Its order:

1. the ``HW08_DEVICE`` environment variable (``cpu``, ``cuda``, ``cuda:N``, ``mps``),
   so CI or an instructor can move every notebook to another device without editing it;
2. the ``preferred`` argument;
3. the best device present: CUDA, then Apple's MPS, then the CPU.

Asking for a device that is not there is an error that names what *is* available,
never a silent fall-back to the CPU.
"""

from __future__ import annotations

import os
import platform
import re

import torch

ENV_VAR = "HW08_DEVICE"
_DEVICE_PATTERN = re.compile(r"^(cpu|mps|cuda)(?::(\d+))?$")
_NAMES = "cpu, cuda, cuda:N, mps (cpu:0 and mps:0 also work)"


class DeviceUnavailableError(RuntimeError):
    """A device was asked for (by argument or ``HW08_DEVICE``) that this machine lacks."""


def mps_available() -> bool:
    """Whether Apple's Metal (MPS) backend can run here (also False on torch builds without it)."""
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def available_devices() -> list[str]:
    """Every device string this machine can use, e.g. ``['cpu', 'cuda:0', 'mps']``."""
    devices = ["cpu"]
    if torch.cuda.is_available():
        devices += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if mps_available():
        devices.append("mps")
    return devices


def _validate(name: str, source: str) -> torch.device:
    spec = name.strip().lower()
    match = _DEVICE_PATTERN.match(spec)
    if match is None:
        raise ValueError(f"{source}={name!r} is not a device name. Use one of: {_NAMES}.")
    available = available_devices()
    kind, index = match.group(1), match.group(2)
    if kind == "cuda":
        present = f"cuda:{int(index or 0)}" in available
    else:  # the CPU and MPS have one device each: index 0
        present = kind in available and int(index or 0) == 0
    if not present:
        raise DeviceUnavailableError(
            f"{source}={name!r} asks for a device this machine does not have. "
            f"Available here: {', '.join(available)}. "
            f"Fix: use one of those, or leave the choice to get_device() "
            f"(unset {ENV_VAR} / pass no argument)."
        )
    return torch.device(spec)


def require_device(device: torch.device | str, source: str = "device") -> torch.device:
    """``device`` as a ``torch.device``, checked to be a real device present on this machine.

    ``source`` names the argument in the error message.

    Raises:
        ValueError: not ``cpu``, ``cuda``, ``cuda:N`` or ``mps`` (e.g. ``meta``, a typo).
        DeviceUnavailableError: that device is not present; the message lists those that are.
    """
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"{source} must be a device name or a torch.device, not {type(device).__name__}: {device!r}")
    return _validate(str(device), source)


def refuse_meta(model: torch.nn.Module, source: str = "model") -> None:
    """Raise a clear ``ValueError`` if ``model`` has tensors on the ``meta`` device (shapes without data)."""
    if any(tensor.is_meta for tensor in [*model.parameters(), *model.buffers()]):
        raise ValueError(
            f"{source} has tensors on the meta device: shapes without data, nothing to compute with, save or load into. "
            "Fix: build it on a real device, or give it storage with model.to_empty(device=...) and initialise it."
        )


def module_device(model: torch.nn.Module, source: str = "model") -> torch.device | None:
    """The one device holding every parameter and buffer of ``model`` (``None`` if it has none).

    Raises:
        ValueError: the tensors are on the ``meta`` device (see :func:`refuse_meta`) or spread
            over several devices, each with the fix.
    """
    refuse_meta(model, source)
    devices = {tensor.device for tensor in [*model.parameters(), *model.buffers()]}
    if len(devices) > 1:
        raise ValueError(
            f"{source} is spread over several devices ({', '.join(sorted(map(str, devices)))}). "
            "Fix: model.to(device) moves every parameter and buffer to one device."
        )
    return next(iter(devices), None)


def same_device(a: torch.device, b: torch.device) -> bool:
    """Whether ``a`` and ``b`` are the same device (``cuda`` means the current CUDA device, as in torch)."""
    if a.type != b.type:
        return False
    current = torch.cuda.current_device() if a.type == "cuda" and (a.index is None or b.index is None) else 0
    return (a.index if a.index is not None else current) == (b.index if b.index is not None else current)


def get_device(preferred: str | torch.device | None = None) -> torch.device:
    """Return the device to compute on (see the module docstring for the order).

    Raises:
        ValueError: the name is not ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        DeviceUnavailableError: that device is not present; the message lists those that are.
    """
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return _validate(from_env, ENV_VAR)
    if preferred is not None:
        return _validate(str(preferred), "preferred")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_summary(device: torch.device | str | None = None) -> str:
    """One line for a notebook's setup cell: device, its name, torch version, CPU threads.

    Raises:
        ValueError, DeviceUnavailableError: as :func:`require_device`.
    """
    device = require_device(device) if device is not None else get_device()
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        name = torch.cuda.get_device_name(index)
    elif device.type == "mps":
        name = f"Apple MPS ({platform.machine()})"
    else:
        name = _cpu_name()
    return f"device: {device} ({name}) | torch {torch.__version__} | CPU threads: {torch.get_num_threads()}"


def synchronize(device: torch.device | str) -> None:
    """Wait until queued kernels on ``device`` finish, so a timer measures the work itself.

    CUDA and MPS run asynchronously: without this, timing a matmul measures only the launch.
    A no-op on the CPU.

    Raises:
        ValueError, DeviceUnavailableError: as :func:`require_device` (e.g. ``"cuda"`` on a
            machine without CUDA), instead of the driver's own error.
    """
    device = require_device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()

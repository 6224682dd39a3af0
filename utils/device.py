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
_DEVICE_PATTERN = re.compile(r"^(cpu|mps|cuda(?::(\d+))?)$")


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
        raise ValueError(f"{source}={name!r} is not a device name. Use one of: cpu, cuda, cuda:N, mps.")
    available = available_devices()
    kind = match.group(1).split(":")[0]
    if kind == "cuda":
        index = int(match.group(2) or 0)
        present = f"cuda:{index}" in available
    else:
        present = kind in available
    if not present:
        raise DeviceUnavailableError(
            f"{source}={name!r} asks for a device this machine does not have. "
            f"Available here: {', '.join(available)}. "
            f"Fix: use one of those, or leave the choice to get_device() "
            f"(unset {ENV_VAR} / pass no argument)."
        )
    return torch.device(spec)


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
    """One line for a notebook's setup cell: device, its name, torch version, CPU threads."""
    device = torch.device(device) if device is not None else get_device()
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
    """
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()

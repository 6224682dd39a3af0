"""A self-check leaves the notebook as it found it: dtype, grad mode, every random stream, and more.

:func:`isolated` runs a check with torch's default settings (float32 default dtype,
gradient tracking on) on a fork of the random generators (torch CPU and accelerator via
``torch.random.fork_rng``, NumPy's and Python's global ones), and puts all of it back
afterwards, together with what student code may switch on the way (deterministic
algorithms, cuDNN's flags, torch's thread count, the working directory). :func:`global_state` and :func:`describe_changes` let the caller of student
code notice when that code changed such a setting and left it changed.
"""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import torch


class GlobalState(NamedTuple):
    """The process-wide torch settings that student code can change by mistake."""

    default_dtype: torch.dtype
    grad_enabled: bool


def global_state() -> GlobalState:
    return GlobalState(torch.get_default_dtype(), torch.is_grad_enabled())


def apply_state(state: GlobalState) -> None:
    torch.set_default_dtype(state.default_dtype)
    torch.set_grad_enabled(state.grad_enabled)


def describe_changes(before: GlobalState, after: GlobalState) -> str:
    """What changed between two states, as advice for the student ("" when nothing did)."""
    changes = []
    if after.default_dtype != before.default_dtype:
        changes.append(
            f"it changed torch's default dtype from {before.default_dtype} to {after.default_dtype} "
            "(torch.set_default_dtype) and left it so, which changes every tensor created afterwards. "
            "Give your own tensors the dtype they need instead (dtype=x.dtype, x.double())"
        )
    if after.grad_enabled != before.grad_enabled:
        state = "off" if not after.grad_enabled else "on"
        changes.append(
            f"it switched gradient tracking {state} for everything that runs after it "
            f"(torch.set_grad_enabled({after.grad_enabled})). Use `with torch.no_grad():`, "
            "which switches it back at the end of the block"
        )
    return "; ".join(changes)


def _accelerator_rng() -> tuple[list[int], str | None]:
    """The devices and device type whose generators ``fork_rng`` must save (none without an accelerator)."""
    accelerator = torch.accelerator.current_accelerator() if hasattr(torch, "accelerator") else None
    if accelerator is None:
        return [], None
    return list(range(torch.accelerator.device_count())), accelerator.type


class ProcessSettings(NamedTuple):
    """Other process-wide settings a check puts back as it found them (it never reports them)."""

    deterministic: bool
    deterministic_warn_only: bool
    cudnn_benchmark: bool
    cudnn_deterministic: bool
    threads: int
    cwd: str


def process_settings() -> ProcessSettings:
    return ProcessSettings(
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
        bool(torch.backends.cudnn.benchmark),
        bool(torch.backends.cudnn.deterministic),
        torch.get_num_threads(),
        os.getcwd(),
    )


def _apply_settings(settings: ProcessSettings) -> None:
    if process_settings()[:2] != settings[:2]:
        torch.use_deterministic_algorithms(settings.deterministic, warn_only=settings.deterministic_warn_only)
    torch.backends.cudnn.benchmark = settings.cudnn_benchmark
    torch.backends.cudnn.deterministic = settings.cudnn_deterministic
    if torch.get_num_threads() != settings.threads:
        torch.set_num_threads(settings.threads)
    with contextlib.suppress(OSError):  # a folder that the student's code deleted
        if os.getcwd() != settings.cwd:
            os.chdir(settings.cwd)


@contextlib.contextmanager
def isolated() -> Iterator[None]:
    """Run the block with float32, gradients on and forked random streams; restore everything after."""
    saved, settings = global_state(), process_settings()
    python_random, numpy_random = random.getstate(), np.random.get_state()
    devices, device_type = _accelerator_rng()
    with torch.random.fork_rng(devices=devices, device_type=device_type):
        try:
            apply_state(GlobalState(torch.float32, True))
            yield
        finally:
            apply_state(saved)
            _apply_settings(settings)
            random.setstate(python_random)
            np.random.set_state(numpy_random)

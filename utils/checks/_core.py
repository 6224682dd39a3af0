"""What every self-check shares: one line when right, a hint when wrong, a clear "unfinished".

A self-check never holds the answer: it compares the student's code with PyTorch's own
operations or with properties (shapes, gradients, a falling loss).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import torch

from ..errors import first_line

T = TypeVar("T")


def passed(part: str, message: str) -> None:
    """Print the one-line success message, e.g. ``✓ 1.4 cross_entropy_loss matches F.cross_entropy``."""
    print(f"✓ {part} {message}")


def expect(condition: bool, part: str, hint: str) -> None:
    """Raise ``AssertionError("✗ <part>: <hint>")`` unless ``condition`` holds."""
    if not condition:
        raise AssertionError(f"✗ {part}: {hint}")


def expect_close(
    actual: Any, expected: torch.Tensor, part: str, what: str, atol: float = 1e-5, rtol: float = 1e-4
) -> None:
    """Assert ``actual`` is a tensor of ``expected``'s shape and close to it, with a hint saying how not."""
    expect(isinstance(actual, torch.Tensor), part, f"{what} should return a torch.Tensor, got {type(actual).__name__}")
    expect(
        tuple(actual.shape) == tuple(expected.shape),
        part,
        f"{what} returned shape {tuple(actual.shape)}, expected {tuple(expected.shape)}",
    )
    actual = actual.detach().to(expected.device, expected.dtype)
    if not torch.allclose(actual, expected.detach(), atol=atol, rtol=rtol, equal_nan=False):
        worst = (actual - expected.detach()).abs().nan_to_num(float("inf")).max().item()
        raise AssertionError(f"✗ {part}: {what} differs from the reference by up to {worst:.3g}")


def call_student(part: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call the student's ``fn``; if it is still a stub, say which part is unfinished."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as error:
        name = getattr(fn, "__name__", repr(fn))
        raise NotImplementedError(
            f"Q{part} is not finished: {name}() still raises NotImplementedError. "
            f"Write your solution in its cell, run that cell, then rerun this check."
        ) from error


def call_checked(part: str, fn: Callable[..., T], *args: Any, hint: str = "", **kwargs: Any) -> T:
    """``call_student``, also turning any other crash into ``✗ part: fn() raised ...`` plus ``hint``."""
    try:
        return call_student(part, fn, *args, **kwargs)
    except (NotImplementedError, AssertionError):
        raise
    except Exception as error:  # the student's bug, reported as a hint rather than a traceback
        name = getattr(fn, "__name__", "your function")
        message = f"✗ {part}: {name}() raised {first_line(error).rstrip('.')}"
        raise AssertionError(f"{message}. {hint}" if hint else message) from error

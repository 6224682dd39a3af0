"""Comparisons for hidden cases: one-line messages naming what differs, never the expected values.

Every value compared here came from the student's kernel as data (``grading.channel``):
each is checked for its exact type (``type(x) is torch.Tensor``: no subclass, hence no
``__eq__`` or ``__torch_function__`` of the student's), dtype, shape and finiteness before
any comparison, which then runs in the grader's process with the grader's own torch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from ..channel import Handle, NotData


def require(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def kind_of(value: Any) -> str:
    if isinstance(value, Handle):
        return value.type_name
    if isinstance(value, NotData):
        return value.what
    return type(value).__name__


def tensor(value: Any, what: str) -> torch.Tensor:
    require(type(value) is torch.Tensor, f"{what} should be a tensor, got {kind_of(value)}")
    return value


def finite(value: torch.Tensor, what: str) -> torch.Tensor:
    if value.is_floating_point() or value.is_complex():
        require(bool(torch.isfinite(value).all()), f"{what} holds NaN or infinite values")
    return value


def close(actual: Any, expected: torch.Tensor, what: str, atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """``actual`` is a plain tensor of ``expected``'s shape and dtype, finite where it is, with close values."""
    actual = tensor(actual, what)
    expected = expected.detach().cpu()
    require(
        tuple(actual.shape) == tuple(expected.shape),
        f"{what} has shape {tuple(actual.shape)}, expected {tuple(expected.shape)}",
    )
    require(actual.dtype == expected.dtype, f"{what} has dtype {actual.dtype}, expected {expected.dtype}")
    if expected.is_floating_point() and bool(torch.isfinite(expected).all()):
        finite(actual, what)
    try:
        torch.testing.assert_close(actual.detach().cpu(), expected, atol=atol, rtol=rtol, equal_nan=False)
    except AssertionError:
        worst = (actual.detach().cpu().double() - expected.double()).abs()
        raise AssertionError(
            f"{what} differs from the expected result (by up to {worst.nan_to_num(float('inf')).max():.3g})"
        ) from None


def number(value: Any, what: str) -> float:
    if type(value) is torch.Tensor and value.numel() == 1:
        value = value.item()
    if isinstance(value, (np.floating, np.integer)) and type(value).__module__ == "numpy":
        value = value.item()
    require(type(value) in (int, float), f"{what} should be a number, got {kind_of(value)}")
    require(math.isfinite(value), f"{what} is {value}, not a finite number")
    return float(value)


def close_number(actual: Any, expected: float, what: str, rel: float = 1e-5, abs_: float = 1e-7) -> None:
    value = number(actual, what)
    require(abs(value - expected) <= abs_ + rel * abs(expected), f"{what} is {value:.6g}, not the expected value")


def pair(value: Any, what: str) -> tuple[Any, Any]:
    require(type(value) in (tuple, list) and len(value) == 2, f"{what} should return a pair, got {kind_of(value)}")
    return value[0], value[1]


def state(value: Any, what: str) -> dict[str, torch.Tensor]:
    """A state_dict as data: str keys, plain tensors."""
    require(type(value) is dict, f"{what} should be a dict of tensors, got {kind_of(value)}")
    for key, item in value.items():
        require(type(key) is str, f"{what} has a key that is not a string")
        tensor(item, f"{what}[{key!r}]")
    return value


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)

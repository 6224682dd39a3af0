"""Comparisons for hidden cases: one-line messages naming what differs, never the expected values."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch


def require(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def tensor(value: Any, what: str) -> torch.Tensor:
    require(isinstance(value, torch.Tensor), f"{what} should be a tensor, got {type(value).__name__}")
    return value


def close(actual: Any, expected: torch.Tensor, what: str, atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """``actual`` is a tensor of ``expected``'s shape and dtype with close values (on the CPU)."""
    actual = tensor(actual, what)
    require(
        tuple(actual.shape) == tuple(expected.shape),
        f"{what} has shape {tuple(actual.shape)}, expected {tuple(expected.shape)}",
    )
    require(actual.dtype == expected.dtype, f"{what} has dtype {actual.dtype}, expected {expected.dtype}")
    try:
        torch.testing.assert_close(
            actual.detach().cpu(), expected.detach().cpu(), atol=atol, rtol=rtol, equal_nan=False
        )
    except AssertionError:
        worst = (actual.detach().cpu().double() - expected.detach().cpu().double()).abs()
        raise AssertionError(
            f"{what} differs from the expected result (by up to {worst.nan_to_num(float('inf')).max():.3g})"
        ) from None


def number(value: Any, what: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    require(
        isinstance(value, (int, float)) and not isinstance(value, bool),
        f"{what} should be a number, got {type(value).__name__}",
    )
    return float(value)


def close_number(actual: Any, expected: float, what: str, rel: float = 1e-5, abs_: float = 1e-7) -> None:
    value = number(actual, what)
    require(abs(value - expected) <= abs_ + rel * abs(expected), f"{what} is {value:.6g}, not the expected value")


def clone(value: Any) -> Any:
    """A deep copy, so that the student's and the reference's calls cannot affect each other."""
    return copy.deepcopy(value)


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)

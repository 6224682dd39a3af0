"""Honest wall-clock timings (lessons: Q1.5 matmul on CPU vs accelerator, Q2.1 data pipelines)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch

from .device import synchronize


def median_seconds(
    fn: Callable[[], object],
    device: torch.device | str = "cpu",
    repeat: int = 5,
    warmup: int = 1,
) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs, after ``warmup`` untimed runs.

    The device is synchronised before the clock starts and before it stops, so the time
    covers the queued GPU work and not just its launch.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    for _ in range(warmup):
        fn()
    synchronize(device)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)

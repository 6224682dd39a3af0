"""Reproducible randomness (lessons: every setup cell; Q2 seeded experiments; Q3.3 bit-exact resume)."""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def seed_everything(seed: int = 0, deterministic: bool = False) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch on every device.

    Args:
        seed: the seed for all generators.
        deterministic: also ask torch for deterministic kernels
            (``torch.use_deterministic_algorithms``; cuDNN autotuning off). An operation
            without a deterministic implementation then raises instead of varying silently.
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # seeds the CPU and every CUDA/MPS generator too
    if deterministic:
        # cuBLAS needs a fixed workspace to be deterministic on CUDA >= 10.2.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False

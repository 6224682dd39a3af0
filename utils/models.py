"""Looking at models (lessons: Q2.2 "Model", Q2.6, Q3).

The models themselves are the students' to build (question 2.2); this module only measures them.
"""

from __future__ import annotations

from torch import nn


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of scalar parameters (only those with ``requires_grad`` by default).

    Example: a 784-256-128-10 MLP has (784 + 1) * 256 + (256 + 1) * 128 + (128 + 1) * 10 = 235,146.
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)

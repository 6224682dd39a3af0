"""Question-1 self-check cases beyond the common ones (``test_checks_notebooks.py``: solutions pass,
stubs are named, random streams untouched). Wrong and other right answers are in ``tests/corpus``.
"""

from __future__ import annotations

import pytest

from notebook_functions import CHECKS, assert_passes, notebook_definitions
from utils import available_devices, checks


@pytest.mark.parametrize("device", available_devices())
def test_devices_on_every_device_here(device):
    """1.3's to_numpy and 1.5's matmul_on on each real device (and on the stand-in GPU)."""
    solutions = notebook_definitions(1)
    assert_passes("1.3", checks.check_stopping_gradients, *[solutions[f] for f in CHECKS["q1_3"].functions], device)
    line = assert_passes("1.5", checks.check_matmul_on, solutions["matmul_on"], device)
    assert f"matmul_on on {device} " in line

"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest
import torch

import utils


@pytest.fixture(scope="session")
def fashion_subset() -> tuple[torch.Tensor, torch.Tensor]:
    """The first 3,000 normalised Fashion-MNIST training images ``(3000, 1, 28, 28)`` and labels."""
    images, labels = utils.as_tensors(utils.fashion_mnist(train=True))
    return images[:3000].clone(), labels[:3000].clone()


@pytest.fixture
def test_device() -> torch.device:
    """The device under test: ``--device``/``HW08_DEVICE``, else the best one present."""
    return utils.get_device()


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory: pytest.TempPathFactory):
    """One synthetic class graded once (``-j 2``) for every grading test: see ``tests/grading_class.py``."""
    from grading_class import MARKER, write_class
    from grading_run import grade_class

    MARKER.unlink(missing_ok=True)
    base = tmp_path_factory.mktemp("grading")
    return grade_class(base, write_class)

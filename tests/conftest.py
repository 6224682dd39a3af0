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

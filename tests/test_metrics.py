from __future__ import annotations

import pytest
import torch

import utils


def test_accuracy():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert utils.accuracy(logits, torch.tensor([0, 1, 1])) == pytest.approx(2 / 3)


def test_reading_a_confusion_matrix():
    matrix = torch.tensor([[1, 1, 0], [0, 1, 0], [2, 0, 1]])  # rows: true classes, columns: predictions
    torch.testing.assert_close(utils.per_class_accuracy(matrix), torch.tensor([0.5, 1.0, 1 / 3]))
    assert utils.most_confused_pair(matrix) == (2, 0, 2)
    assert utils.most_confused_pair(matrix, ["a", "b", "c"]) == ("c", "a", 2)

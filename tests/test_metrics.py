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


LOGITS = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 4.0], [0.5, 0.2, 0.1]])
LABELS = torch.tensor([0, 1, 2, 1])


def test_one_hot_float_labels_are_an_error_not_a_low_accuracy():
    one_hot = torch.nn.functional.one_hot(LABELS, 3).float()
    with pytest.raises(ValueError, match=r"one-hot rows.*labels.argmax\(dim=1\)"):
        utils.accuracy(LOGITS, one_hot)


def test_labels_of_shape_n_1_are_an_error():
    with pytest.raises(ValueError, match=r"shape \(4, 1\).*labels.squeeze\(1\)"):
        utils.accuracy(LOGITS, LABELS.unsqueeze(1))


@pytest.mark.parametrize("bad", [3, 12, -1])
def test_label_outside_the_classes_is_an_error(bad):
    with pytest.raises(ValueError, match=f"labels contain {bad}, outside the 3 classes 0..2"):
        utils.accuracy(LOGITS, torch.tensor([0, 1, bad, 1]))


def test_float_class_indices_are_an_error():
    with pytest.raises(TypeError, match=r"integer class indices.*labels.long\(\)"):
        utils.accuracy(LOGITS, LABELS.float())


def test_logits_of_the_wrong_shape_or_no_samples_are_errors():
    with pytest.raises(ValueError, match=r"logits must have shape \(N, C\)"):
        utils.accuracy(LOGITS[0], LABELS[:1])
    with pytest.raises(ValueError, match="no samples"):
        utils.accuracy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))


def test_ignore_index_is_allowed_where_the_loss_allows_it():
    utils.metrics.check_class_labels(LOGITS, torch.tensor([0, -100, 2, 1]), ignore_index=-100)
    with pytest.raises(ValueError, match="contain -100"):
        utils.metrics.check_class_labels(LOGITS, torch.tensor([0, -100, 2, 1]))


def test_metrics_on_meta_tensors_are_a_clear_error():
    with pytest.raises(ValueError, match="logits is on the meta device"):
        utils.accuracy(LOGITS.to("meta"), LABELS.to("meta"))
    with pytest.raises(ValueError, match="confusion matrix is on the meta device"):
        utils.per_class_accuracy(torch.eye(3, device="meta"))


@pytest.mark.parametrize(
    ("matrix", "error", "match"),
    [
        (torch.ones(2, 3), ValueError, r"square.*got shape \(2, 3\)"),
        (torch.ones(4), ValueError, r"got shape \(4,\)"),
        (torch.tensor([[1, -1], [0, 2]]), ValueError, "negative"),
        (torch.tensor([[1.0, float("nan")], [0.0, 2.0]]), ValueError, "NaN"),
        (torch.eye(2, dtype=torch.bool), TypeError, "counts"),
        ("not a matrix", TypeError, "tensor"),
    ],
)
def test_a_confusion_matrix_is_checked(matrix, error, match):
    with pytest.raises(error, match=match):
        utils.per_class_accuracy(matrix)
    with pytest.raises(error, match=match):
        utils.most_confused_pair(matrix)


def test_class_names_must_match_the_matrix():
    with pytest.raises(ValueError, match="2 class names for a 3x3"):
        utils.most_confused_pair(torch.eye(3), ["a", "b"])
    with pytest.raises(ValueError, match="1x1 confusion matrix has no pair"):
        utils.most_confused_pair(torch.tensor([[5]]))


def test_a_class_without_samples_has_no_accuracy():
    matrix = torch.tensor([[2, 0], [0, 0]])
    accuracy = utils.per_class_accuracy(matrix)
    assert accuracy[0] == 1.0 and torch.isnan(accuracy[1])


def test_a_row_normalised_matrix_and_a_list_work_too():
    counts = [[1, 1, 0], [0, 1, 0], [2, 0, 1]]
    normalised = torch.tensor(counts, dtype=torch.float32)
    normalised /= normalised.sum(dim=1, keepdim=True)
    assert utils.most_confused_pair(counts) == (2, 0, 2)
    assert utils.most_confused_pair(normalised)[:2] == (2, 0)

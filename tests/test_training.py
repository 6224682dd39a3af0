from __future__ import annotations

import pytest
import torch
from torch import nn

import utils
from reference_models import LOOP, TestMLP


def small_loaders(fashion_subset, batch_size=100):
    images, labels = fashion_subset
    return (
        utils.TensorBatchLoader(images[:2500], labels[:2500], batch_size, shuffle=True),
        utils.TensorBatchLoader(images[2500:], labels[2500:], 500),
    )


def test_fit_lowers_the_loss_on_real_data(fashion_subset, test_device):
    utils.seed_everything(0)
    train, val = small_loaders(fashion_subset)
    model = TestMLP([784, 64, 10]).to(test_device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    history = utils.fit(model, train, val, nn.CrossEntropyLoss(), optimizer, 4, test_device, **LOOP, progress=False)
    assert len(history) == 4 and [s.epoch for s in history.epochs] == [1, 2, 3, 4]
    assert history.train_loss[-1] < 0.7 * history.train_loss[0]
    assert history.val_loss[-1] < history.val_loss[0]
    assert history.val_acc[-1] > 0.7
    assert all(s > 0 for s in history.seconds)
    assert set(history.as_dict()) == {"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds"}


@pytest.mark.parametrize("kind", ["step", "plateau"])
def test_fit_steps_schedulers(fashion_subset, kind):
    train, val = small_loaders(fashion_subset)
    model = TestMLP([784, 16, 10])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    if kind == "step":
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        expected = [0.1, 0.05, 0.025]
    else:  # a patience of 0 and an impossible threshold: cut the rate after every epoch
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=0, threshold=10.0)
        expected = [0.1, 0.05, 0.025]
    history = utils.fit(model, train, val, nn.CrossEntropyLoss(), optimizer, 3, "cpu", **LOOP, scheduler=scheduler, progress=False)
    assert history.lr == pytest.approx(expected)


def test_fit_resumes_at_start_epoch_and_calls_back(fashion_subset):
    train, val = small_loaders(fashion_subset)
    model = TestMLP([784, 16, 10])
    seen = []
    history = utils.fit(
        model,
        train,
        val,
        nn.CrossEntropyLoss(),
        torch.optim.SGD(model.parameters(), 0.1),
        5,
        "cpu",
        **LOOP,
        start_epoch=3,
        progress=False,
        on_epoch_end=lambda stats: seen.append(stats.epoch),
    )
    assert [s.epoch for s in history.epochs] == seen == [4, 5]


def test_predict_returns_labels_and_classes(fashion_subset):
    _, val = small_loaders(fashion_subset)
    labels, predictions = utils.predict(TestMLP([784, 16, 10]), val, "cpu")
    assert labels.shape == predictions.shape == (500,)
    assert torch.equal(labels, fashion_subset[1][2500:])


def test_fit_needs_the_students_loop(fashion_subset):
    train, val = small_loaders(fashion_subset)
    model = TestMLP([784, 16, 10])
    with pytest.raises(TypeError, match="train_one_epoch"):
        utils.fit(model, train, val, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), 0.1), 1, "cpu")

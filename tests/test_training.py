from __future__ import annotations

import copy

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
    history = utils.fit(
        model, train, val, nn.CrossEntropyLoss(), optimizer, 3, "cpu", **LOOP, scheduler=scheduler, progress=False
    )
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


def test_fit_runs_utils_loop_by_default_as_the_module_holds_it_now(fashion_subset, monkeypatch):
    """Without ``train_one_epoch``/``evaluate``, ``fit`` calls ``utils.training``'s, looked up at each call
    (as autoreload leaves them after an edit of utils/training.py); the handout's stubs stop it naming 2.4."""
    from notebook_functions import handout_module

    train, val = small_loaders(fashion_subset)
    model = TestMLP([784, 16, 10])
    history = utils.fit(model, train, val, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), 0.1), 1, "cpu")
    assert len(history) == 1 and 0.0 <= history.val_acc[0] <= 1.0
    calls = []
    monkeypatch.setattr(utils.training, "evaluate", lambda *args: calls.append("evaluate") or (0.5, 0.25))
    history = utils.fit(model, train, val, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), 0.1), 1, "cpu")
    assert calls == ["evaluate"] and history.val_acc == [0.25]
    stub = handout_module("training.py")
    monkeypatch.setattr(utils.training, "train_one_epoch", stub.train_one_epoch)
    with pytest.raises(NotImplementedError, match=r"Q2\.4: write train_one_epoch\(\) in utils/training\.py"):
        utils.fit(model, train, val, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), 0.1), 1, "cpu")
    with pytest.raises(TypeError, match="train_one_epoch"):
        utils.fit(model, train, val, nn.CrossEntropyLoss(), None, 1, "cpu", train_one_epoch="not a function")


def tiny_run(batches: int = 4, batch_size: int = 8, seed: int = 0):
    """A 4-feature, 3-class problem: model, loaders, criterion, optimizer (instant to train)."""
    torch.manual_seed(seed)
    images, labels = torch.randn(batches * batch_size, 4), torch.randint(0, 3, (batches * batch_size,))
    model = TestMLP([4, 8, 3])
    loader = utils.TensorBatchLoader(images, labels, batch_size)
    return model, loader, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1)


def test_nan_inputs_stop_fit_at_the_first_bad_batch_naming_epoch_and_batch():
    model, loader, criterion, optimizer = tiny_run()
    loader.images[2 * 8 + 3, 1] = float("nan")  # batch 3 of every epoch
    with pytest.raises(utils.NonFiniteLossError, match="the loss is nan at epoch 1, training batch 3") as error:
        utils.fit(model, loader, loader, criterion, optimizer, 3, "cpu", **LOOP, progress=False)
    assert (error.value.epoch, error.value.batch, error.value.phase) == (1, 3, "training")
    assert len(error.value.history) == 0
    assert "learning rate" in str(error.value) and "torch.isfinite" in str(error.value)


def test_huge_learning_rate_stops_fit_instead_of_training_on_nan():
    model, loader, criterion, _ = tiny_run(batches=8)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e30)
    with pytest.raises(utils.NonFiniteLossError, match="at epoch 1, training batch") as error:
        utils.fit(model, loader, loader, criterion, optimizer, 5, "cpu", **LOOP, progress=False)
    assert error.value.epoch == 1 and 2 <= error.value.batch <= 8


def test_non_finite_loss_returned_by_the_loop_is_caught_without_a_module_criterion():
    model, loader, _, optimizer = tiny_run()
    calls = []

    def loop_returning_nan(model, loader, criterion, optimizer, device):
        calls.append(1)
        return (float("nan") if len(calls) == 2 else 1.0), 0.5

    with pytest.raises(
        utils.NonFiniteLossError, match="train_one_epoch returned a mean loss of nan in epoch 2"
    ) as error:
        utils.fit(
            model,
            loader,
            loader,
            nn.functional.cross_entropy,
            optimizer,
            4,
            "cpu",
            train_one_epoch=loop_returning_nan,
            evaluate=lambda *args: (1.0, 0.5),
            progress=False,
        )
    assert error.value.batch is None and len(error.value.history) == 1


@pytest.mark.parametrize(
    ("make_labels", "match"),
    [
        (
            lambda y: nn.functional.one_hot(y, 3).float(),
            r"epoch 1, training batch 1: labels have shape \(8, 3\).*one-hot",
        ),
        (lambda y: y.unsqueeze(1), r"epoch 1, training batch 1: labels have shape \(8, 1\).*squeeze\(1\)"),
        (lambda y: y + 10, "epoch 1, training batch 1: labels contain 1[0-2], outside the 3 classes"),
        (lambda y: y.float(), r"integer class indices.*long\(\)"),
    ],
    ids=["one-hot-float", "column-n-1", "label-12", "float-indices"],
)
def test_labels_that_are_not_class_indices_stop_fit_at_the_first_batch(make_labels, match):
    model, loader, criterion, optimizer = tiny_run()
    bad = utils.TensorBatchLoader(loader.images, make_labels(loader.labels), 8)
    before = copy.deepcopy(model.state_dict())
    with pytest.raises((ValueError, TypeError), match=match):
        utils.fit(model, bad, bad, criterion, optimizer, 2, "cpu", **LOOP, progress=False)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items()), "a step was taken on bad labels"


def test_ctrl_c_keeps_the_history_of_the_finished_epochs():
    model, loader, criterion, optimizer = tiny_run()
    epochs_run = []

    def interrupted_in_epoch_3(*args):
        epochs_run.append(1)
        if len(epochs_run) == 3:
            raise KeyboardInterrupt
        return LOOP["train_one_epoch"](*args)

    with pytest.raises(KeyboardInterrupt) as error:
        utils.fit(
            model,
            loader,
            loader,
            criterion,
            optimizer,
            5,
            "cpu",
            train_one_epoch=interrupted_in_epoch_3,
            evaluate=LOOP["evaluate"],
            progress=False,
        )
    assert isinstance(error.value, utils.TrainingInterrupted)
    assert [s.epoch for s in error.value.history.epochs] == [1, 2]
    assert "interrupted in epoch 3; the 2 finished epochs are in error.history" in str(error.value)


def test_an_error_in_the_callback_still_gives_the_finished_epochs():
    model, loader, criterion, optimizer = tiny_run()

    def full_disk(stats):
        if stats.epoch == 2:
            raise OSError("No space left on device")

    with pytest.raises(OSError) as error:
        utils.fit(model, loader, loader, criterion, optimizer, 4, "cpu", **LOOP, progress=False, on_epoch_end=full_disk)
    assert len(error.value.history) == 2


def test_hooks_are_removed_after_fit():
    model, loader, criterion, optimizer = tiny_run()
    utils.fit(model, loader, loader, criterion, optimizer, 1, "cpu", **LOOP, progress=False)
    assert not criterion._forward_hooks and not criterion._forward_pre_hooks
    criterion(torch.full((2, 3), float("nan")), torch.tensor([0, 1]))  # no guard outside fit


def test_empty_validation_loader_is_refused_before_training():
    model, loader, criterion, optimizer = tiny_run()
    empty = utils.TensorBatchLoader(torch.zeros(0, 4), torch.zeros(0, dtype=torch.long), 8)

    def must_not_train(*args):
        raise AssertionError("trained although the validation loader is empty")

    with pytest.raises(ValueError, match=r"val_loader has no batches \(0 samples\)"):
        utils.fit(
            model,
            loader,
            empty,
            criterion,
            optimizer,
            1,
            "cpu",
            train_one_epoch=must_not_train,
            evaluate=LOOP["evaluate"],
            progress=False,
        )


@pytest.mark.parametrize(
    ("result", "match"),
    [
        (None, "train_one_epoch returned None in epoch 1"),
        ((0.5, 87.5), "accuracy 87.5 in epoch 1.*fraction in \\[0, 1\\]"),
    ],
)
def test_a_loop_returning_something_else_than_loss_and_accuracy_is_named(result, match):
    model, loader, criterion, optimizer = tiny_run()
    with pytest.raises((TypeError, ValueError), match=match):
        utils.fit(
            model,
            loader,
            loader,
            criterion,
            optimizer,
            1,
            "cpu",
            train_one_epoch=lambda *args: result,
            evaluate=LOOP["evaluate"],
            progress=False,
        )


def test_loop_results_as_tensors_are_recorded_as_floats():
    model, loader, criterion, optimizer = tiny_run()
    history = utils.fit(
        model,
        loader,
        loader,
        criterion,
        optimizer,
        1,
        "cpu",
        train_one_epoch=lambda *args: (torch.tensor(0.5), torch.tensor(0.25)),
        evaluate=LOOP["evaluate"],
        progress=False,
    )
    assert history.train_loss == [0.5] and type(history.train_acc[0]) is float


def test_fit_refuses_a_model_on_another_device_or_on_meta(monkeypatch):
    model, loader, criterion, optimizer = tiny_run()
    model.to("meta")
    with pytest.raises(ValueError, match="fit: model has tensors on the meta device"):
        utils.fit(model, loader, loader, criterion, optimizer, 1, "cpu", **LOOP, progress=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delenv("HW08_DEVICE", raising=False)
    with pytest.raises(utils.DeviceUnavailableError, match="device='cuda'"):
        utils.fit(tiny_run()[0], loader, loader, criterion, optimizer, 1, "cuda", **LOOP, progress=False)


def test_predict_on_an_empty_loader_is_a_clear_error():
    model, *_ = tiny_run()
    empty = utils.TensorBatchLoader(torch.zeros(0, 4), torch.zeros(0, dtype=torch.long), 8)
    with pytest.raises(ValueError, match="the loader has no batches"):
        utils.predict(model, empty, "cpu")
    with pytest.raises(ValueError, match="the loader yielded no batches"):
        utils.predict(model, iter([]), "cpu")


def test_predict_with_a_model_on_the_meta_device_is_a_clear_error():
    model, loader, *_ = tiny_run()
    model.to("meta")
    with pytest.raises(ValueError, match="predict: model has tensors on the meta device"):
        utils.predict(model, loader, "cpu")
    with pytest.raises(ValueError, match="'meta' is not a device name"):
        utils.predict(model, loader, "meta")


def test_predict_restores_the_models_mode():
    model, loader, *_ = tiny_run()
    model.train()
    labels, predictions = utils.predict(model, loader, "cpu")
    assert model.training and labels.shape == predictions.shape == (32,)


@pytest.mark.parametrize(
    ("start_epoch", "epochs", "fix"), [(5, 2, "start_epoch=5, epochs=7"), (3, 3, "start_epoch=3, epochs=6")]
)
def test_fit_refuses_a_start_epoch_with_nothing_left_to_train(fashion_subset, start_epoch, epochs, fix):
    train, val = small_loaders(fashion_subset)
    model = TestMLP([784, 16, 10])
    optimizer = torch.optim.SGD(model.parameters(), 0.1)
    with pytest.raises(ValueError, match=rf"no epoch to train: `epochs` is the epoch to train up to.*{fix}"):
        utils.fit(model, train, val, nn.CrossEntropyLoss(), optimizer, epochs, "cpu", **LOOP, start_epoch=start_epoch)

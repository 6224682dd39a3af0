from __future__ import annotations

import copy
import datetime
import errno
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

import utils
from reference_models import TestMLP
from utils import atomic as atomic_module
from utils import checkpoint as checkpoint_module


def make_run(seed: int = 0):
    torch.manual_seed(seed)
    model = TestMLP([8, 16, 3], dropout=0.2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    return model, optimizer, scheduler


def train_steps(model, optimizer, scheduler, steps: int) -> None:
    model.train()
    for _ in range(steps):
        x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()


def test_round_trip_restores_everything(tmp_path):
    model, optimizer, scheduler = make_run()
    train_steps(model, optimizer, scheduler, 3)
    path = utils.save_checkpoint(tmp_path / "run.pth", model, optimizer, scheduler, epoch=3, val_acc=0.5)
    fresh_model, fresh_optimizer, fresh_scheduler = make_run(seed=99)
    info = utils.load_checkpoint(path, fresh_model, fresh_optimizer, fresh_scheduler)
    assert info == {"epoch": 3, "val_acc": 0.5}
    for key, value in model.state_dict().items():
        assert torch.equal(value, fresh_model.state_dict()[key]), key
    assert fresh_scheduler.last_epoch == scheduler.last_epoch
    assert fresh_optimizer.state_dict()["state"][0]["step"] == optimizer.state_dict()["state"][0]["step"]


def test_no_rng_state_is_stored(tmp_path):
    """RNG states are question 3.3's answer: utils' checkpoints leave them out and never touch the RNGs."""
    model, *_ = make_run()
    utils.save_checkpoint(tmp_path / "rng.pth", model)
    assert "rng_state" not in torch.load(tmp_path / "rng.pth", weights_only=True)
    torch.manual_seed(2)
    expected = torch.rand(3)
    torch.manual_seed(2)
    utils.load_checkpoint(tmp_path / "rng.pth", model)
    assert torch.equal(torch.rand(3), expected)


def test_refuses_to_overwrite_without_permission(tmp_path):
    model, *_ = make_run()
    path = utils.save_checkpoint(tmp_path / "keep.pth", model, epoch=1)
    before = path.read_bytes()
    with pytest.raises(utils.CheckpointError, match="already exists.*overwrite=True"):
        utils.save_checkpoint(path, model, epoch=2)
    assert path.read_bytes() == before
    utils.save_checkpoint(path, model, epoch=2, overwrite=True)
    assert utils.read_checkpoint(path)["epoch"] == 2


def test_interrupted_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    model, *_ = make_run()
    path = utils.save_checkpoint(tmp_path / "ckpt.pth", model, epoch=1)
    before = path.read_bytes()

    def crash_half_way(obj, handle, *args, **kwargs):
        handle.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint_module.torch, "save", crash_half_way)
    with pytest.raises(KeyboardInterrupt):
        utils.save_checkpoint(path, model, epoch=2, overwrite=True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.pth"], "a temporary file was left behind"


def test_missing_file(tmp_path):
    model, *_ = make_run()
    with pytest.raises(utils.CheckpointNotFoundError, match="nope.pth: no such checkpoint file"):
        utils.load_checkpoint(tmp_path / "nope.pth", model)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupt_or_truncated_file(tmp_path, damage):
    model, *_ = make_run()
    path = utils.save_checkpoint(tmp_path / "bad.pth", model)
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"not a checkpoint" * 10, "empty": b""}[damage])
    with pytest.raises(utils.CheckpointError, match="bad.pth is truncated or corrupt"):
        utils.load_checkpoint(path, model)


def test_wrong_architecture_names_what_differs(tmp_path):
    model, *_ = make_run()
    path = utils.save_checkpoint(tmp_path / "mlp.pth", model)
    other = TestMLP([8, 32, 3])
    with pytest.raises(utils.CheckpointError) as error:
        utils.load_checkpoint(path, other)
    message = str(error.value)
    assert "mlp.pth" in message and "layers.0.weight: file has shape (16, 8), model has (32, 8)" in message
    deeper = TestMLP([8, 16, 16, 3], dropout=0.2)
    with pytest.raises(utils.CheckpointError, match="missing from the file: layers.6.weight"):
        utils.load_checkpoint(path, deeper)


def test_bare_state_dict_is_explained(tmp_path):
    model, *_ = make_run()
    torch.save(model.state_dict(), tmp_path / "weights.pth")
    with pytest.raises(utils.CheckpointError, match="not a checkpoint written by utils.save_checkpoint"):
        utils.load_checkpoint(tmp_path / "weights.pth", model)


class RunsCodeOnLoad:
    def __reduce__(self):
        return (print, ("this ran on load",))


def test_code_running_pickle_is_refused(tmp_path):
    model, *_ = make_run()
    torch.save({"format": "hw08-checkpoint", "payload": RunsCodeOnLoad()}, tmp_path / "evil.pth")
    with pytest.raises(utils.CheckpointError, match="weights_only=True refuses"):
        utils.load_checkpoint(tmp_path / "evil.pth", model)


def test_non_numeric_metric_is_rejected(tmp_path):
    model, *_ = make_run()
    with pytest.raises(utils.CheckpointError, match="metric history"):
        utils.save_checkpoint(tmp_path / "m.pth", model, history=[1, 2])
    assert not (tmp_path / "m.pth").exists()


@pytest.fixture
def saved_as_if_on_cuda(tmp_path):
    """A checkpoint whose storages are tagged ``cuda:0``, as one saved on a GPU machine is."""
    registry = torch.serialization._package_registry
    entry = (0, lambda storage: "cuda:0", lambda storage, location: None)
    registry.append(entry)
    registry.sort(key=lambda item: item[0])
    try:
        model, optimizer, _ = make_run()
        path = utils.save_checkpoint(tmp_path / "gpu.pth", model, optimizer, epoch=4)
    finally:
        registry.remove(entry)
    return path, model


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks loading a CUDA checkpoint on a machine without CUDA")
def test_cuda_saved_checkpoint_loads_with_map_location(saved_as_if_on_cuda):
    path, original = saved_as_if_on_cuda
    with pytest.raises(RuntimeError, match="CUDA"):
        torch.load(path, weights_only=True)  # what a plain torch.load does on a CPU-only machine
    with pytest.raises(utils.CheckpointError, match="map_location='cpu'"):
        utils.read_checkpoint(path, map_location=None)
    model, optimizer, _ = make_run(seed=5)
    assert utils.load_checkpoint(path, model, optimizer)["epoch"] == 4  # maps to the model's device
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), original.state_dict().values()))


def test_checkpoint_filename_follows_the_guide():
    when = datetime.datetime(2026, 11, 26, 9, 5, 3)
    assert utils.checkpoint_filename("mlp", 9, 88.123, when=when) == "mlp_20261126_090503_epoch9_acc88.12.pth"
    assert utils.checkpoint_filename("mlp", 9, when=when) == "mlp_20261126_090503_epoch9.pth"
    assert utils.checkpoint_filename("mlp", 1).startswith(f"mlp_{datetime.datetime.now():%Y%m%d}")


@pytest.mark.parametrize("name", ["../up", "a/b", "", "with space"])
def test_checkpoint_filename_rejects_paths(name):
    with pytest.raises(ValueError, match="model_name"):
        utils.checkpoint_filename(name, 1)


def same_weights(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def snapshot(model, optimizer=None, scheduler=None):
    """Deep copies of the three states, to prove a failed load changed nothing."""
    return (
        copy.deepcopy(model.state_dict()),
        copy.deepcopy(optimizer.state_dict()) if optimizer is not None else None,
        copy.deepcopy(scheduler.state_dict()) if scheduler is not None else None,
    )


def assert_unchanged(before, model, optimizer=None, scheduler=None):
    model_state, optimizer_state, scheduler_state = before
    for key, value in model_state.items():
        assert torch.equal(model.state_dict()[key], value), f"{key} was changed by a failed load"
    if optimizer is not None:
        assert str(optimizer.state_dict()) == str(optimizer_state), "the optimizer was changed by a failed load"
    if scheduler is not None:
        assert scheduler.state_dict() == scheduler_state, "the scheduler was changed by a failed load"


def test_round_trip_on_the_test_device(tmp_path, test_device):
    """Saved on the device under test, loaded into a model there: the tensors never need a CPU-only step."""
    model, optimizer, scheduler = make_run()
    model.to(test_device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    x, y = torch.randn(16, 8, device=test_device), torch.randint(0, 3, (16,), device=test_device)
    nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
    scheduler.step()
    path = utils.save_checkpoint(tmp_path / "dev.pth", model, optimizer, scheduler, epoch=1)
    fresh = TestMLP([8, 16, 3], dropout=0.2).to(test_device)
    fresh_optimizer = torch.optim.Adam(fresh.parameters(), lr=1e-2)
    fresh_scheduler = torch.optim.lr_scheduler.StepLR(fresh_optimizer, step_size=1, gamma=0.5)
    assert utils.load_checkpoint(path, fresh, fresh_optimizer, fresh_scheduler) == {"epoch": 1}
    assert same_weights(model, fresh)
    assert fresh_optimizer.state_dict()["state"][0]["exp_avg"].device.type == test_device.type
    fresh_optimizer.step()  # the restored state works where the parameters live


def test_file_is_read_to_the_cpu_whatever_the_models_device(tmp_path):
    model, *_ = make_run()
    path = utils.save_checkpoint(tmp_path / "m.pth", model)
    payload = utils.read_checkpoint(path)
    assert {tensor.device.type for tensor in payload["model_state_dict"].values()} == {"cpu"}


def test_load_into_a_model_on_the_meta_device_is_a_clear_error(tmp_path):
    model, *_ = make_run()
    path = utils.save_checkpoint(tmp_path / "m.pth", model)
    with torch.device("meta"):
        shapes_only = TestMLP([8, 16, 3], dropout=0.2)
    with pytest.raises(utils.CheckpointError, match="m.pth into this model: .*meta device.*to_empty"):
        utils.load_checkpoint(path, shapes_only)


def test_save_of_a_model_on_the_meta_device_is_refused(tmp_path):
    with torch.device("meta"):
        shapes_only = TestMLP([8, 16, 3])
    with pytest.raises(utils.CheckpointError, match="cannot save .*meta device"):
        utils.save_checkpoint(tmp_path / "meta.pth", shapes_only)
    assert not list(tmp_path.iterdir())


def test_another_writer_creating_the_file_during_a_save_is_not_overwritten(tmp_path, monkeypatch):
    """overwrite=False holds even when the file appears after the "does it exist?" check."""
    model, *_ = make_run()
    path = tmp_path / "race.pth"
    real_save = torch.save

    def save_while_another_writer_finishes(obj, handle, *args, **kwargs):
        path.write_bytes(b"the other writer's checkpoint")
        real_save(obj, handle, *args, **kwargs)

    monkeypatch.setattr(checkpoint_module.torch, "save", save_while_another_writer_finishes)
    with pytest.raises(utils.CheckpointError, match="race.pth already exists.*while this one was writing"):
        utils.save_checkpoint(path, model)
    assert path.read_bytes() == b"the other writer's checkpoint"
    assert [p.name for p in tmp_path.iterdir()] == ["race.pth"]


def flip_bytes_inside(path, needle: bytes) -> None:
    data = bytearray(path.read_bytes())
    start = data.find(needle)
    assert start > 0, "the tensor's bytes are not stored verbatim in the file"
    for i in range(start + 8, start + 8 + 17 * 4, 4):  # 17 weights
        data[i + 3] ^= 0x40
    path.write_bytes(bytes(data))


def test_bytes_flipped_inside_a_tensor_record_are_detected(tmp_path):
    model, *_ = make_run()
    path = utils.save_checkpoint(tmp_path / "flipped.pth", model)
    flip_bytes_inside(path, model.layers[0].weight.detach().numpy().tobytes())
    fresh = TestMLP([8, 16, 3], dropout=0.2)
    before = snapshot(fresh)
    with pytest.raises(utils.CheckpointError, match=r"flipped.pth is truncated or corrupt: record .* fails its CRC"):
        utils.load_checkpoint(path, fresh)
    assert_unchanged(before, fresh)


def test_adam_state_into_sgd_is_refused_before_anything_changes(tmp_path):
    model, optimizer, scheduler = make_run()  # Adam
    train_steps(model, optimizer, scheduler, 2)
    path = utils.save_checkpoint(tmp_path / "adam.pth", model, optimizer, epoch=2)
    fresh = TestMLP([8, 16, 3], dropout=0.2)
    sgd = torch.optim.SGD(fresh.parameters(), lr=0.1, momentum=0.9)
    before = snapshot(fresh, sgd)
    with pytest.raises(
        utils.CheckpointError, match="state of an optimizer of class Adam, but this optimizer is of class SGD"
    ):
        utils.load_checkpoint(path, fresh, sgd)
    assert_unchanged(before, fresh, sgd)


def test_steplr_state_into_reduce_on_plateau_is_refused(tmp_path):
    model, optimizer, scheduler = make_run()  # StepLR
    path = utils.save_checkpoint(tmp_path / "step.pth", model, optimizer, scheduler)
    fresh, fresh_optimizer, _ = make_run(seed=1)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(fresh_optimizer)
    before = snapshot(fresh, fresh_optimizer, plateau)
    with pytest.raises(
        utils.CheckpointError, match="a scheduler of class StepLR, but this scheduler is of class ReduceLROnPlateau"
    ):
        utils.load_checkpoint(path, fresh, fresh_optimizer, plateau)
    assert_unchanged(before, fresh, fresh_optimizer, plateau)


def test_optimizer_over_other_parameters_is_refused_before_anything_changes(tmp_path):
    model, optimizer, scheduler = make_run()
    train_steps(model, optimizer, scheduler, 1)
    path = utils.save_checkpoint(tmp_path / "all.pth", model, optimizer)
    fresh = TestMLP([8, 16, 3], dropout=0.2)
    first_layer_only = torch.optim.Adam(fresh.layers[0].parameters(), lr=1e-2)
    before = snapshot(fresh, first_layer_only)
    with pytest.raises(utils.CheckpointError, match="parameter group 0: the file has 4 parameters, this optimizer 2"):
        utils.load_checkpoint(path, fresh, first_layer_only)
    assert_unchanged(before, fresh, first_layer_only)
    swapped = torch.optim.Adam([*fresh.layers[3].parameters(), *fresh.layers[0].parameters()], lr=1e-2)
    with pytest.raises(utils.CheckpointError, match="exp_avg has shape \\(16, 8\\), the parameter \\(3, 16\\)"):
        utils.load_checkpoint(path, fresh, swapped)
    assert_unchanged(before, fresh)


@pytest.mark.parametrize("removed", ["model_state_dict", "epoch", "metrics", "optimizer_state_dict"])
def test_missing_entry_is_named(tmp_path, removed):
    model, optimizer, _ = make_run()
    path = utils.save_checkpoint(tmp_path / "full.pth", model, optimizer)
    payload = torch.load(path, weights_only=True)
    del payload[removed]
    torch.save(payload, tmp_path / "edited.pth")
    fresh = TestMLP([8, 16, 3], dropout=0.2)
    before = snapshot(fresh)
    with pytest.raises(utils.CheckpointError, match=f"(?s)edited.pth is damaged or was edited.*{removed}"):
        utils.load_checkpoint(tmp_path / "edited.pth", fresh)
    assert_unchanged(before, fresh)


def test_failure_while_applying_restores_the_previous_state(tmp_path, monkeypatch):
    model, optimizer, scheduler = make_run()
    train_steps(model, optimizer, scheduler, 2)
    path = utils.save_checkpoint(tmp_path / "ok.pth", model, optimizer, scheduler)
    fresh, fresh_optimizer, fresh_scheduler = make_run(seed=3)
    train_steps(fresh, fresh_optimizer, fresh_scheduler, 1)
    before = snapshot(fresh, fresh_optimizer, fresh_scheduler)

    def fail(state):
        raise KeyError("gamma")

    monkeypatch.setattr(fresh_scheduler, "load_state_dict", fail)
    with pytest.raises(utils.CheckpointError, match="ok.pth could not be loaded .*KeyError.*unchanged"):
        utils.load_checkpoint(path, fresh, fresh_optimizer, fresh_scheduler)
    assert_unchanged(before, fresh, fresh_optimizer)


@pytest.mark.parametrize("epoch", ["abc", 2.5, None, True, -1])
def test_epoch_that_is_not_a_whole_number_is_named(tmp_path, epoch):
    model, *_ = make_run()
    with pytest.raises(utils.CheckpointError, match="epoch must be"):
        utils.save_checkpoint(tmp_path / "e.pth", model, epoch=epoch)
    assert not list(tmp_path.iterdir())


def test_numpy_and_tensor_numbers_are_stored_as_plain_numbers(tmp_path):
    """weights_only=True refuses NumPy scalars: the file would be written but never load."""
    model, *_ = make_run()
    path = utils.save_checkpoint(
        tmp_path / "np.pth",
        model,
        epoch=np.int64(4),
        val_acc=np.float64(0.5),
        seen=np.int32(7),
        loss=torch.tensor(0.25),
    )
    info = utils.load_checkpoint(path, model)
    assert info == {"epoch": 4, "val_acc": 0.5, "seen": 7, "loss": 0.25}
    assert [type(info[key]) for key in ("epoch", "val_acc", "seen", "loss")] == [int, float, int, float]


def test_disk_full_names_the_file_and_the_fix(tmp_path, monkeypatch):
    model, *_ = make_run()
    path = utils.save_checkpoint(tmp_path / "full.pth", model, epoch=1)
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic_module.os, "fsync", disk_full)
    with pytest.raises(utils.CheckpointError) as error:
        utils.save_checkpoint(path, model, epoch=2, overwrite=True)
    message = str(error.value)
    assert str(path) in message and "disk is full" in message and "free some space" in message
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["full.pth"]


def test_permission_denied_names_the_folder_and_the_fix(tmp_path, monkeypatch):
    model, *_ = make_run()
    real_open = os.open

    def read_only_folder(path, flags, mode=0o777, *args, **kwargs):
        if ".hw08-" in str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(atomic_module.os, "open", read_only_folder)
    with pytest.raises(utils.CheckpointError) as error:
        utils.save_checkpoint(tmp_path / "locked.pth", model)
    message = str(error.value)
    assert f"cannot write {tmp_path / 'locked.pth'}: no permission to write in {tmp_path}" in message
    assert "Fix: save into a folder you own" in message


@pytest.mark.skipif(sys.platform == "win32", reason="Windows cannot probe a pid safely: only the age rule applies")
def test_stale_temporary_of_a_killed_save_is_removed_by_the_next_save(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    killed = tmp_path / f".mlp_epoch3.pth.hw08-{process.pid}-0badc0de.tmp"
    killed.write_bytes(b"PK\x03\x04 half a checkpoint")
    model, *_ = make_run()
    utils.save_checkpoint(tmp_path / "mlp_epoch4.pth", model, epoch=4)
    assert [p.name for p in tmp_path.iterdir()] == ["mlp_epoch4.pth"]

from __future__ import annotations

import datetime

import pytest
import torch
from torch import nn

import utils
from reference_models import TestMLP
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

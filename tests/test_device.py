from __future__ import annotations

import pytest
import torch

import utils
from utils import device as device_module


@pytest.fixture
def cpu_only(monkeypatch):
    monkeypatch.delenv("HW08_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device_module, "mps_available", lambda: False)


def test_falls_back_to_cpu(cpu_only):
    assert utils.get_device() == torch.device("cpu")
    assert utils.available_devices() == ["cpu"]


def test_prefers_cuda_then_mps(monkeypatch):
    monkeypatch.delenv("HW08_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(device_module, "mps_available", lambda: True)
    assert utils.get_device() == torch.device("cuda")
    assert utils.get_device("cuda:1") == torch.device("cuda:1")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert utils.get_device() == torch.device("mps")


def test_missing_device_error_lists_what_is_available(cpu_only):
    with pytest.raises(utils.DeviceUnavailableError) as error:
        utils.get_device("cuda")
    message = str(error.value)
    assert "'cuda'" in message and "Available here: cpu" in message


def test_missing_cuda_index(monkeypatch):
    monkeypatch.delenv("HW08_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(utils.DeviceUnavailableError, match="cuda:0"):
        utils.get_device("cuda:3")


def test_environment_variable_overrides_argument(cpu_only, monkeypatch):
    monkeypatch.setenv("HW08_DEVICE", "cpu")
    assert utils.get_device("cuda") == torch.device("cpu")
    monkeypatch.setenv("HW08_DEVICE", "mps")
    with pytest.raises(utils.DeviceUnavailableError, match="HW08_DEVICE='mps'"):
        utils.get_device()


@pytest.mark.parametrize("name", ["gpu", "cuda:x", "tpu", ""])
def test_bad_names_are_rejected(cpu_only, name):
    if not name:  # an empty HW08_DEVICE means "not set"
        assert utils.get_device() == torch.device("cpu")
        return
    with pytest.raises(ValueError, match="cpu, cuda, cuda:N, mps"):
        utils.get_device(name)


def test_summary_names_device_and_torch(cpu_only):
    summary = utils.device_summary("cpu")
    assert summary.startswith("device: cpu") and torch.__version__ in summary


def test_synchronize_is_safe_on_cpu():
    utils.synchronize("cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matmul_matches_cpu():
    a, b = torch.randn(256, 256), torch.randn(256, 256)
    device = torch.device("cuda")
    result = (a.to(device) @ b.to(device)).cpu()
    utils.synchronize(device)
    torch.testing.assert_close(result, a @ b, atol=1e-3, rtol=1e-3)


@pytest.mark.skipif(not device_module.mps_available(), reason="needs an Apple MPS device")
def test_mps_matmul_matches_cpu():
    a, b = torch.randn(256, 256), torch.randn(256, 256)
    result = (a.to("mps") @ b.to("mps")).cpu()
    utils.synchronize("mps")
    torch.testing.assert_close(result, a @ b, atol=1e-3, rtol=1e-3)


@pytest.mark.parametrize("call", [utils.device_summary, utils.synchronize])
def test_cuda_asked_for_on_a_machine_without_cuda_is_a_clear_error(cpu_only, call):
    """Not torch's raw driver error: the device asked for, what is here, and the fix."""
    with pytest.raises(utils.DeviceUnavailableError, match="device='cuda' asks for a device .*Available here: cpu"):
        call("cuda")
    with pytest.raises(utils.DeviceUnavailableError, match="Available here: cpu"):
        call(torch.device("cuda:1"))


def test_mps_asked_for_on_a_machine_without_mps_is_a_clear_error(cpu_only):
    with pytest.raises(utils.DeviceUnavailableError, match="'mps'"):
        utils.synchronize("mps")


@pytest.mark.parametrize("name", ["cpu:0", "CPU", torch.device("cpu", 0)])
def test_cpu_0_is_accepted_as_torch_accepts_it(cpu_only, monkeypatch, name):
    assert utils.get_device(name) == torch.device(str(name).lower())
    assert utils.device_summary(name).startswith(f"device: {str(name).lower()}")
    utils.synchronize(name)
    monkeypatch.setenv("HW08_DEVICE", str(name))
    assert utils.get_device().type == "cpu"


def test_cpu_1_does_not_exist(cpu_only):
    with pytest.raises(utils.DeviceUnavailableError, match="'cpu:1'"):
        utils.get_device("cpu:1")


@pytest.mark.parametrize("call", [utils.device_summary, utils.synchronize, utils.require_device])
def test_meta_is_not_a_device_to_compute_on(call):
    with pytest.raises(ValueError, match="'meta' is not a device name"):
        call("meta")
    with pytest.raises(TypeError, match="device must be a device name"):
        utils.require_device(0)


def test_module_device_refuses_meta_and_split_models():
    with torch.device("meta"):
        shapes_only = torch.nn.Linear(2, 2)
    with pytest.raises(ValueError, match="model has tensors on the meta device.*to_empty"):
        device_module.module_device(shapes_only)
    split = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 2))
    split[1].to("meta")
    with pytest.raises(ValueError, match="meta device"):
        device_module.module_device(split)
    assert device_module.module_device(torch.nn.Linear(2, 2)) == torch.device("cpu")
    assert device_module.module_device(torch.nn.ReLU()) is None


def test_same_device_treats_cuda_as_the_current_cuda_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 1)
    same = device_module.same_device
    assert same(torch.device("cuda"), torch.device("cuda:1"))
    assert not same(torch.device("cuda"), torch.device("cuda:0"))
    assert same(torch.device("cpu"), torch.device("cpu:0"))
    assert not same(torch.device("cpu"), torch.device("meta"))

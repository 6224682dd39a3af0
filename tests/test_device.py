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

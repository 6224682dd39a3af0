"""The stand-in GPU (utils/checks/_standin.py): device mistakes show on a CPU-only machine."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils.checks._standin import (
    STANDIN,
    DeviceTensor,
    HostTensor,
    is_on_device,
    move_parameters,
    on_device,
    on_host,
    recording,
    simulating,
)


def test_moves_between_host_and_device_copy_and_report_the_device():
    host = on_host(torch.arange(4.0))
    device = host.to(STANDIN)
    assert isinstance(device, DeviceTensor) and device.device == STANDIN and device.is_cuda
    assert device.data_ptr() != host.data_ptr(), "a transfer copies"
    for back in (device.cpu(), device.to("cpu"), device.to(torch.device("cpu")), device.to(device="cpu")):
        assert type(back) is torch.Tensor and back.device.type == "cpu" and torch.equal(back, torch.arange(4.0))
    assert isinstance(host.cuda(), DeviceTensor) and isinstance(host.to(0), DeviceTensor)
    assert isinstance(host.to(torch.float64), HostTensor) and host.to(torch.float64).dtype == torch.float64


def test_numpy_refuses_a_device_tensor_as_pytorch_does():
    tensor = on_device(torch.arange(3.0))
    for convert in (lambda t: t.numpy(), lambda t: np.asarray(t)):
        with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu"):
            convert(tensor)
    assert np.array_equal(tensor.cpu().numpy(), [0.0, 1.0, 2.0])
    assert np.array_equal(tensor.numpy(force=True), [0.0, 1.0, 2.0])


def test_mixing_host_and_device_tensors_fails_as_pytorch_does():
    host, device = on_host(torch.ones(2, 2)), on_device(torch.ones(2, 2))
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        host @ device
    assert isinstance(device @ device, DeviceTensor)
    assert isinstance(device + torch.ones(2, 2), DeviceTensor), "plain tensors mix with either"
    assert isinstance(device * on_host(torch.tensor(2.0)), DeviceTensor), "0-d host tensors mix, as on a GPU"


def test_assigning_data_moves_the_tensor_itself():
    host = on_host(torch.ones(3))
    host.data = host.data.to(STANDIN)
    assert is_on_device(host) and host.device == STANDIN


def test_recording_says_where_each_operation_ran():
    a, b = on_host(torch.ones(2, 2)), on_host(torch.ones(2, 2))
    with recording() as operations:
        a @ b
        a.to(STANDIN) @ b.to(STANDIN)
    assert ("matmul", "host") in operations and ("matmul", "device") in operations


def test_simulating_creates_and_moves_plain_tensors_onto_the_device():
    with simulating():
        created = torch.zeros(3, device=STANDIN)
        moved = torch.ones(2).to(STANDIN)
        elsewhere = torch.ones(2).to("cpu")
    assert is_on_device(created) and is_on_device(moved) and not is_on_device(elsewhere)


def test_a_model_on_the_device_trains_and_refuses_host_batches():
    torch.manual_seed(0)
    model = move_parameters(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)))
    assert model.to(STANDIN) is model and model.cuda() is model
    assert next(model.parameters()).device == STANDIN
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    x, y = on_host(torch.randn(8, 4)), on_host(torch.randint(0, 2, (8,)))
    before = model[0].weight.detach().clone()
    loss = F.cross_entropy(model(x.to(STANDIN)), y.to(STANDIN))
    loss.backward()
    optimizer.step()
    assert not torch.equal(model[0].weight.detach().as_subclass(torch.Tensor), before.as_subclass(torch.Tensor))
    with pytest.raises(RuntimeError, match="same device"):
        model(x)
    with pytest.raises(RuntimeError, match="same device"):
        F.cross_entropy(model(x.to(STANDIN)), y)

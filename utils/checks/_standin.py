"""A stand-in accelerator, so that device mistakes show on a CPU-only machine too.

On a laptop without a GPU, ``device`` is the CPU, and code that forgets ``.to(device)`` or
``.cpu()`` runs fine there, then fails on the first GPU it meets. The checks therefore also
run the student's code on :data:`STANDIN`, a simulated ``cuda:0``: tensors of two
``torch.Tensor`` subclasses whose data stay in CPU memory but which behave as PyTorch's
do across a real host/device boundary:

* a :class:`HostTensor` is on the CPU; ``.to(STANDIN)`` / ``.cuda()`` gives a copy that is
  a :class:`DeviceTensor`;
* a :class:`DeviceTensor` reports ``device == cuda:0``; ``.cpu()`` / ``.to("cpu")`` gives a
  plain CPU copy; ``.numpy()`` refuses it, as for a real GPU tensor;
* an operation mixing the two raises the same "Expected all tensors to be on the same device"
  error as PyTorch. Plain tensors (made inside the student's code) mix with either;
* inside :class:`simulating`, a tensor created with ``device=STANDIN`` (``torch.zeros(...,
  device=device)``) or a plain tensor moved there is a :class:`DeviceTensor` too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

#: The device the stand-in tensors claim to be on.
STANDIN = torch.device("cuda", 0)

_MOVES = {torch.Tensor.to, torch.Tensor.cpu, torch.Tensor.cuda}
_TO_NUMPY = {torch.Tensor.numpy, torch.Tensor.__array__}
_DEVICE = torch.Tensor.device.__get__
_IS_CUDA = torch.Tensor.is_cuda.__get__
_IS_CPU = torch.Tensor.is_cpu.__get__ if hasattr(torch.Tensor, "is_cpu") else None
_GET_DEVICE = torch.Tensor.get_device
_SET_DATA = torch.Tensor.data.__set__
#: While :func:`recording` is active: (function name, "host" or "device") of each operation.
_OPERATIONS: list[tuple[str, str]] | None = None

MIXED = (
    f"Expected all tensors to be on the same device, but found at least two devices, {STANDIN} and cpu! "
    "(on a GPU the self-check simulates, so that this shows on any machine)"
)
NOT_NUMPY = (
    f"can't convert {STANDIN} device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first. "
    "(on a GPU the self-check simulates, so that this shows on any machine)"
)


def _tensors(value: Any) -> Iterator[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item)


def _wrap(value: Any, cls: type | None) -> Any:
    if cls is None:
        return value
    if isinstance(value, torch.Tensor) and not isinstance(value, cls):
        return value.as_subclass(cls)
    if type(value) is tuple:
        return tuple(_wrap(item, cls) for item in value)
    if type(value) is list:
        return [_wrap(item, cls) for item in value]
    return value


def _move_target(func: Any, args: tuple, kwargs: dict) -> tuple[str | None, torch.dtype | None]:
    """Where a move sends its tensor (``"device"``: the stand-in, ``"cpu"``, ``None``: nowhere) and its dtype."""
    if func is torch.Tensor.cpu:
        return "cpu", None
    if func is torch.Tensor.cuda:
        return "device", None
    device, dtype, _, _ = torch._C._nn._parse_to(*args[1:], **{k: v for k, v in kwargs.items() if k != "copy"})
    if device is None:
        return None, dtype
    if device.type == "cpu":
        return "cpu", dtype
    return ("device" if device.type == STANDIN.type else None), dtype


class _Simulated(torch.Tensor):
    """Common behaviour of the stand-in's host and device tensors."""

    @classmethod
    def __torch_function__(cls, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        with torch._C.DisableTorchFunctionSubclass():
            return _dispatch(func, args, kwargs or {})


def _dispatch(func: Any, args: tuple, kwargs: dict) -> Any:
    """What ``func(*args, **kwargs)`` does across the simulated host/device boundary (torch functions off)."""
    this = args[0] if args else None
    on_device = isinstance(this, DeviceTensor)
    if func in (_DEVICE, _GET_DEVICE) or func == _IS_CUDA or (_IS_CPU is not None and func == _IS_CPU):
        if on_device:
            return {_DEVICE: STANDIN, _GET_DEVICE: STANDIN.index}.get(func, func == _IS_CUDA)
        return func(*args, **kwargs)
    if func in _TO_NUMPY and on_device:
        force = kwargs.get("force", len(args) > 1 and args[1] is True)
        if not force:
            raise TypeError(NOT_NUMPY)
    if func in _MOVES and isinstance(this, _Simulated):
        target, dtype = _move_target(func, args, kwargs)
        if target is not None:
            return _move(this, target, dtype)
    if func == _SET_DATA and isinstance(this, HostTensor) and isinstance(args[1], DeviceTensor):
        func(*args, **kwargs)
        this.__class__ = DeviceTensor  # `t.data = t.data.to(device)` moves t itself
        return None
    tensors = list(_tensors(args)) + list(_tensors(kwargs))
    uses_device = any(isinstance(t, DeviceTensor) for t in tensors)
    uses_host = any(isinstance(t, HostTensor) and t.dim() > 0 for t in tensors)
    if uses_device and uses_host:
        raise RuntimeError(MIXED)
    result = func(*args, **kwargs)
    if _OPERATIONS is not None:
        _OPERATIONS.append((getattr(func, "__name__", str(func)), "device" if uses_device else "host"))
    if func in torch.overrides.get_default_nowrap_functions():
        return result
    kind = DeviceTensor if uses_device else HostTensor if any(isinstance(t, HostTensor) for t in tensors) else None
    return _wrap(result, kind)


def _move(tensor: torch.Tensor, target: str, dtype: torch.dtype | None) -> torch.Tensor:
    converted = tensor.to(dtype) if dtype is not None else tensor
    same_place = (target == "device") == isinstance(tensor, DeviceTensor)
    if not same_place and converted.data_ptr() == tensor.data_ptr():
        converted = converted.clone()  # crossing the boundary copies, as a real transfer does
    if target == "device":
        return converted if isinstance(converted, DeviceTensor) else converted.as_subclass(DeviceTensor)
    if isinstance(tensor, HostTensor):
        return converted if isinstance(converted, HostTensor) else converted.as_subclass(HostTensor)
    return converted.as_subclass(torch.Tensor)


class HostTensor(_Simulated):
    """A CPU tensor whose ``.to(STANDIN)`` gives a :class:`DeviceTensor`."""


class DeviceTensor(_Simulated):
    """A tensor on the stand-in device (its data are in CPU memory)."""

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise TypeError(NOT_NUMPY)


class simulating(TorchFunctionMode):
    """While active, tensors created with ``device=STANDIN`` and plain tensors moved there become device tensors."""

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        device = kwargs.get("device")
        if isinstance(device, (str, torch.device)) and torch.device(device).type == STANDIN.type:
            return _wrap(func(*args, **{**kwargs, "device": "cpu"}), DeviceTensor)
        this = args[0] if args else None
        if func in _MOVES and isinstance(this, torch.Tensor) and not isinstance(this, _Simulated):
            target, dtype = _move_target(func, args, kwargs)
            if target == "device":
                with torch._C.DisableTorchFunctionSubclass():
                    return _move(this, target, dtype)
        return func(*args, **kwargs)


@contextlib.contextmanager
def recording() -> Iterator[list[tuple[str, str]]]:
    """Record the operations run on stand-in tensors: ``(function name, "host" | "device")``."""
    global _OPERATIONS
    _OPERATIONS = operations = []
    try:
        yield operations
    finally:
        _OPERATIONS = None


def on_host(tensor: torch.Tensor) -> HostTensor:
    """``tensor`` as a host tensor of the stand-in (same memory)."""
    return tensor.as_subclass(HostTensor)


def on_device(tensor: torch.Tensor) -> DeviceTensor:
    """A copy of ``tensor`` on the stand-in device."""
    return tensor.detach().clone().as_subclass(DeviceTensor)


def is_on_device(tensor: Any) -> bool:
    return isinstance(tensor, DeviceTensor)


def move_parameters(model: nn.Module) -> nn.Module:
    """Put ``model``'s parameters on the stand-in device (in place; buffers stay plain).

    ``model.to(STANDIN)`` and ``model.cuda()`` are then no-ops, as they are for a model that
    is already on the device (a real move would need CUDA).
    """
    for module in model.modules():
        for name, parameter in list(module.named_parameters(recurse=False)):
            moved = nn.Parameter(on_device(parameter.detach()), requires_grad=parameter.requires_grad)
            setattr(module, name, moved)
    to = model.to

    def stay(*args: Any, **kwargs: Any) -> nn.Module:
        device, dtype, _, _ = torch._C._nn._parse_to(*args, **kwargs)
        if device is not None and device.type == STANDIN.type:
            return model if dtype is None else to(dtype)
        return to(*args, **kwargs)

    model.to = stay  # type: ignore[method-assign]
    model.cuda = lambda device=None: model  # type: ignore[method-assign]
    return model

"""Self-checks for question 1 (`notebooks/hw08-q01.ipynb`): tensors, autograd and devices.

One check per part (two for 1.4). The expectations come from PyTorch's own operations
(``nn.Flatten``, torchvision's ``normalize``, ``torch.autograd``, ``torch.optim.SGD``,
``F.linear``, ``F.cross_entropy``, a CPU ``matmul``), from closed forms (the central
difference of ``sin`` and of a cubic for a given ``eps``) or from properties (memory
sharing, views, unchanged inputs). Device mistakes also show on a CPU-only machine: the
checks run the code on a stand-in GPU as well (``_standin``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._core import call_student, each, expect, expect_close, passed, self_check
from ._forbidden import forbidding
from ._standin import STANDIN, is_on_device, on_device, on_host, recording, simulating

__all__ = [
    "check_autograd",
    "check_cross_entropy_loss",
    "check_linear_forward",
    "check_matmul_on",
    "check_stopping_gradients",
    "check_tensors",
]


def _message(error: BaseException) -> str:
    return str(error).lower()


# --------------------------------------------------------------------------------------- 1.1
def _check_share_and_copy(part: str, share_and_copy: Callable) -> None:
    for dtype in (np.float32, np.float64, np.int64):
        array = np.arange(6, dtype=dtype).reshape(2, 3)
        result = call_student(part, share_and_copy, array)
        expect(
            isinstance(result, (tuple, list)) and len(result) == 2 and all(isinstance(t, torch.Tensor) for t in result),
            part,
            f"share_and_copy should return a pair of tensors (shared, copied), got {type(result).__name__}",
        )
        shared, copied = result
        expected_dtype = torch.from_numpy(np.zeros(1, dtype=dtype)).dtype
        for name, tensor in (("shared", shared), ("copied", copied)):
            expect(
                tuple(tensor.shape) == (2, 3) and tensor.dtype == expected_dtype,
                part,
                f"share_and_copy(a {np.dtype(dtype).name} array of shape (2, 3)): {name} has shape "
                f"{tuple(tensor.shape)} and dtype {tensor.dtype}; both should keep the array's shape and dtype "
                f"({expected_dtype})",
            )
            expect(
                torch.equal(tensor.detach().cpu(), torch.arange(6).reshape(2, 3).to(expected_dtype)),
                part,
                f"share_and_copy: {name} holds other values than the array",
            )
        array[0, 0] = 100
        expect(
            shared[0, 0].item() == 100,
            part,
            "share_and_copy: after array[0, 0] = 100 the shared tensor did not change; "
            "build it with the constructor that reuses the NumPy buffer instead of copying it",
        )
        expect(
            copied[0, 0].item() == 0,
            part,
            "share_and_copy: after array[0, 0] = 100 the copied tensor changed too; "
            "it must own its memory (a constructor that always copies the data)",
        )


def _check_hwc_to_nchw(part: str, hwc_to_nchw: Callable) -> None:
    n, h, w, c = 2, 3, 5, 4  # four different sizes, so that any mix-up of axes shows
    images = torch.arange(n * h * w * c).reshape(n, h, w, c)
    out = call_student(part, hwc_to_nchw, images)
    expect(isinstance(out, torch.Tensor), part, f"hwc_to_nchw should return a tensor, got {type(out).__name__}")
    expect(
        tuple(out.shape) == (n, c, h, w),
        part,
        f"hwc_to_nchw turned shape (N, H, W, C) = {(n, h, w, c)} into {tuple(out.shape)}; "
        f"expected (N, C, H, W) = {(n, c, h, w)}",
    )
    moved = all(
        out[i, k, y, x] == images[i, y, x, k]
        for i, y, x, k in itertools.product(range(n), range(h), range(w), range(c))
    )
    expect(
        moved,
        part,
        "hwc_to_nchw has the right shape but pixels in the wrong places: view()/reshape() only relabel the "
        "memory in its order, they do not move an axis. Reorder the dimensions instead",
    )
    expect(
        out.untyped_storage().data_ptr() == images.untyped_storage().data_ptr(),
        part,
        "hwc_to_nchw copied the data: reordering dimensions can be a view of the same memory "
        "(leave .contiguous() to whoever needs it)",
    )
    single = torch.rand(1, 5, 6, 1)
    out = call_student(part, hwc_to_nchw, single)
    expect(
        isinstance(out, torch.Tensor) and tuple(out.shape) == (1, 1, 5, 6),
        part,
        "hwc_to_nchw should also work for one grey-scale image, (1, 5, 6, 1) -> (1, 1, 5, 6)",
    )


def _flatten_hint(error: BaseException) -> str:
    if "view" in _message(error) or "stride" in _message(error):
        return (
            "The input was a non-contiguous tensor (a permuted batch): view() cannot express it with new strides "
            "over the same memory. Use the operation that copies when it has to"
        )
    return "flatten_images should turn (N, C, H, W) into (N, C*H*W) for any sizes"


def _check_flatten_images(part: str, flatten_images: Callable) -> None:
    flatten = nn.Flatten()
    cases = [
        ("a (4, 3, 5, 2) batch", torch.randn(4, 3, 5, 2)),
        ("a (1, 1, 28, 28) batch of one image", torch.randn(1, 1, 28, 28)),
        ("a permuted, non-contiguous (4, 3, 5, 2) batch", torch.randn(4, 5, 2, 3).permute(0, 3, 1, 2)),
    ]
    for what, batch in cases:
        flat = call_student(part, flatten_images, batch, hint=_flatten_hint)
        expect_close(flat, flatten(batch), part, f"flatten_images({what})")


def _normalize_hint(error: BaseException) -> str:
    if "size of tensor" in _message(error) or "broadcast" in _message(error):
        return (
            "Broadcasting lines shapes up from the right, so a (C,) tensor meets W, not C: give mean and std a "
            "shape that lines up with the channel dimension of (N, C, H, W)"
        )
    return ""


def _check_normalize_channels(part: str, normalize_channels: Callable) -> None:
    from torchvision.transforms.functional import normalize

    cases = [
        ("3 channels", torch.rand(5, 3, 4, 4), [0.5, 0.25, 0.75], [0.2, 0.5, 0.1]),
        ("3 channels on images 3 pixels wide", torch.rand(2, 3, 4, 3), [0.1, 0.6, 0.3], [0.3, 0.2, 0.4]),
        ("1 channel", torch.rand(2, 1, 3, 3), [0.3], [0.2]),
        ("4 channels in float64", torch.rand(3, 4, 2, 5, dtype=torch.float64), [0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4]),
    ]
    for what, batch, mean, std in cases:
        before = batch.clone()
        mean_t, std_t = torch.tensor(mean, dtype=batch.dtype), torch.tensor(std, dtype=batch.dtype)
        result = call_student(part, normalize_channels, batch, mean_t, std_t, hint=_normalize_hint)
        expect(
            torch.equal(batch, before),
            part,
            "normalize_channels changed its input in place; return a new tensor (x - m) / s",
        )
        expect(
            torch.equal(mean_t, torch.tensor(mean, dtype=batch.dtype))
            and torch.equal(std_t, torch.tensor(std, dtype=batch.dtype)),
            part,
            "normalize_channels changed mean or std in place; reshape them with view/reshape or indexing instead",
        )
        expect_close(result, normalize(before, mean, std), part, f"normalize_channels ({what})")


@self_check("1.1")
def check_tensors(
    share_and_copy: Callable[[np.ndarray], tuple[torch.Tensor, torch.Tensor]],
    hwc_to_nchw: Callable[[torch.Tensor], torch.Tensor],
    flatten_images: Callable[[torch.Tensor], torch.Tensor],
    normalize_channels: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
) -> None:
    """1.1: memory sharing with NumPy, HWC -> NCHW as a view, flattening any layout, channel broadcasting."""
    part = "1.1"
    _check_share_and_copy(part, share_and_copy)
    _check_hwc_to_nchw(part, hwc_to_nchw)
    _check_flatten_images(part, flatten_images)
    _check_normalize_channels(part, normalize_channels)
    passed(part, "share_and_copy, hwc_to_nchw, flatten_images and normalize_channels behave like PyTorch's own ops")


# --------------------------------------------------------------------------------------- 1.2
def _cubic_and_sine(x: torch.Tensor) -> torch.Tensor:
    return (x**3).sum() + torch.sin(x).prod()


def _mixed(x: torch.Tensor) -> torch.Tensor:
    return (x.exp() * x.roll(1, dims=-1)).sum() / 3


def _unchanged(x: torch.Tensor, before: torch.Tensor) -> bool:
    """``x`` holds its old values (up to the last bit or two a perturb-and-restore may leave)."""
    return x.shape == before.shape and torch.allclose(x, before, rtol=1e-12, atol=1e-12)


def _check_estimate(part: str, numerical_grad: Callable, f: Callable, x: torch.Tensor, eps: float) -> torch.Tensor:
    before = x.clone()
    estimate = call_student(part, numerical_grad, f, x, eps)
    expect(_unchanged(x, before), part, "numerical_grad changed x; perturb a copy (or put every entry back)")
    expect(
        isinstance(estimate, torch.Tensor),
        part,
        f"numerical_grad should return a tensor shaped like x, got {type(estimate).__name__}",
    )
    expect(
        tuple(estimate.shape) == tuple(x.shape),
        part,
        f"numerical_grad returned shape {tuple(estimate.shape)} for an x of shape {tuple(x.shape)}; "
        "return one entry per entry of x, in x's shape",
    )
    expect(
        estimate.is_floating_point() and torch.finfo(estimate.dtype).bits >= torch.finfo(x.dtype).bits,
        part,
        f"numerical_grad returned {estimate.dtype} for a {x.dtype} x: the gradient should keep x's dtype "
        "(torch.zeros_like(x), or dtype=x.dtype), or the float64 precision of a gradient check is lost",
    )
    return estimate.detach()


def _check_numerical_grad(part: str, numerical_grad: Callable) -> None:
    generator = torch.Generator().manual_seed(12)
    central = (
        "Use the central difference (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), one entry i at a time, "
        "with the eps you are given"
    )
    for f, shape in ((_cubic_and_sine, (5,)), (_mixed, (3, 4))):
        x = torch.randn(shape, dtype=torch.float64, generator=generator)
        leaf = x.clone().requires_grad_()
        (reference,) = torch.autograd.grad(f(leaf), [leaf])
        estimate = _check_estimate(part, numerical_grad, f, x, 1e-2)
        expect_close(
            estimate,
            reference,
            part,
            f"numerical_grad(eps=0.01) for an input of shape {shape}, compared with autograd,",
            atol=1e-3,
            rtol=1e-3,
            hint=central + "; a one-sided difference is only first-order accurate",
        )
    # A large eps: the central difference of sin and of a cubic then has a closed form that differs from the
    # derivative, so an eps that is ignored (or a one-sided difference) shows.
    eps = 0.5
    weights = torch.randn(2, 3, dtype=torch.float64, generator=generator)
    x = torch.randn(2, 3, dtype=torch.float64, generator=generator)
    expected = weights * torch.cos(x) * (np.sin(eps) / eps) + 3 * x**2 + eps**2
    estimate = _check_estimate(part, numerical_grad, lambda t: (weights * torch.sin(t)).sum() + (t**3).sum(), x, eps)
    expect_close(
        estimate,
        expected,
        part,
        f"numerical_grad(f, x, eps={eps}) (with a large eps the central difference differs from the derivative)",
        atol=1e-8,
        rtol=1e-8,
        hint=central,
    )
    x32 = torch.randn(4, generator=generator)
    estimate = _check_estimate(part, numerical_grad, lambda t: (t**2).sum(), x32, 1e-2)
    expect_close(
        estimate, 2 * x32, part, "numerical_grad on a float32 x", atol=1e-2, rtol=1e-2, check_dtype=False, hint=central
    )


def _check_vector_backward(part: str, vector_backward: Callable) -> None:
    generator = torch.Generator().manual_seed(21)
    weights = torch.randn(4, 3, dtype=torch.float64, generator=generator)
    cases = [
        ("f(x) = W sin(x) + (sum x)^2, x of shape (3,)", lambda x: weights @ torch.sin(x) + x.sum() ** 2, (3,), (4,)),
        ("f(x) = (x * x.roll(1, 0)).sum(0), x of shape (2, 3)", lambda x: (x * x.roll(1, 0)).sum(0), (2, 3), (3,)),
    ]
    for what, f, x_shape, v_shape in cases:
        x = torch.randn(x_shape, dtype=torch.float64, generator=generator)
        v = torch.randn(v_shape, dtype=torch.float64, generator=generator)
        _, reference = torch.autograd.functional.vjp(f, x, v)
        hint = (
            "It should be v^T J, the gradient of (f(x) * v).sum(): call f on a fresh leaf and pass v as "
            "backward's gradient="
        )
        first = call_student(part, vector_backward, f, x, v, hint=hint)
        expect_close(first, reference, part, f"vector_backward for {what}", atol=1e-8, rtol=1e-6, hint=hint)
        second = call_student(part, vector_backward, f, x, v, hint=hint)
        expect(
            isinstance(second, torch.Tensor) and torch.allclose(second.detach(), reference, atol=1e-8, rtol=1e-6),
            part,
            "vector_backward gave another answer the second time: gradients accumulate in .grad over "
            "backward() calls. Work on a fresh leaf (x.detach().clone().requires_grad_()) each call",
        )
        expect(
            not x.requires_grad and x.grad is None,
            part,
            "vector_backward changed the caller's x (it now requires grad or has a .grad); make a fresh leaf from it",
        )


@self_check("1.2")
def check_autograd(
    numerical_grad: Callable[..., torch.Tensor],
    vector_backward: Callable[[Callable, torch.Tensor, torch.Tensor], torch.Tensor],
) -> None:
    """1.2: central differences agree with autograd (and with their closed form for a large eps); ``v^T J``."""
    part = "1.2"
    _check_numerical_grad(part, numerical_grad)
    _check_vector_backward(part, vector_backward)
    passed(part, "numerical_grad agrees with autograd and vector_backward returns v^T J")


# --------------------------------------------------------------------------------------- 1.3
def _sgd_hint(error: BaseException) -> str:
    message = _message(error)
    if "leaf variable" in message or "in-place operation" in message:
        return "Changing a leaf that requires grad in place is only allowed inside `with torch.no_grad():`"
    if "nonetype" in message:
        return "Skip parameters whose .grad is None, as optimizer.step() does"
    return ""


def _check_sgd(part: str, sgd_step: Callable, zero_grad: Callable) -> None:
    generator = torch.Generator().manual_seed(13)
    inputs = torch.randn(16, 3, generator=generator)
    targets = torch.randn(16, generator=generator)
    start = [torch.randn(3, generator=generator), torch.zeros(1), torch.randn(2, generator=generator)]
    mine = [t.clone().requires_grad_() for t in start]
    theirs = [t.clone().requires_grad_() for t in start]
    optimizer = torch.optim.SGD(theirs, lr=0.1)

    def loss_of(params: list[torch.Tensor]) -> torch.Tensor:
        weight, bias, _frozen = params  # the third parameter gets no gradient (its .grad stays None)
        return ((inputs @ weight + bias - targets) ** 2).mean()

    memory = [p.data_ptr() for p in mine]
    for step in range(3):
        loss_of(mine).backward()
        loss_of(theirs).backward()
        call_student(part, sgd_step, list(mine), 0.1, hint=_sgd_hint)
        optimizer.step()
        expect(
            all(p.is_leaf and p.requires_grad for p in mine),
            part,
            "after sgd_step the parameters are no longer leaves that require grad: update them in place under "
            "torch.no_grad()",
        )
        expect(
            [p.data_ptr() for p in mine] == memory,
            part,
            "sgd_step gave the parameters new memory instead of changing them in place: `p.data = p.data - lr * p.grad` "
            "(or p.set_) builds a new tensor and swaps it in, so anything else that holds p's memory (a view, a tied "
            "weight) keeps the old values. Update p itself, in place: `p -= lr * p.grad` or p.sub_(lr * p.grad), "
            "under torch.no_grad()",
        )
        if step == 0:
            expect(
                not torch.equal(mine[0].detach(), start[0]),
                part,
                "sgd_step left the parameters unchanged: it changed new tensors, not the parameters themselves "
                "(`p = p - lr * p.grad` only rebinds the name p; p.clone() and p.detach().clone() own new memory). "
                "Change the tensor itself, in place (p -= lr * p.grad, under torch.no_grad())",
            )
        for name, a, b in zip(("weight", "bias", "frozen"), mine, theirs):
            expect_close(
                a.detach(),
                b.detach(),
                part,
                f"after sgd_step, step {step + 1}, the {name} parameter (compared with optim.SGD)",
                hint="sgd_step should do p <- p - lr * p.grad for every p with a gradient, and skip the others",
            )
        call_student(part, zero_grad, list(mine), hint="Set each p.grad to None (or zero it when it is not None)")
        optimizer.zero_grad()
        expect(
            all(p.grad is None or not p.grad.any() for p in mine),
            part,
            "after zero_grad every .grad should be None or all zeros; otherwise the next backward() adds to it",
        )


def _check_to_numpy(part: str, to_numpy: Callable, device: torch.device) -> None:
    hint = "numpy() needs a tensor outside the graph (detach()) and in CPU memory (cpu())"
    values = torch.tensor([0.0, 2.0, 4.0, 6.0])
    cases: list[tuple[str, torch.Tensor]] = [
        ("a tensor that requires grad", values.clone().requires_grad_() * 1),
        ("a float64 tensor", values.double()),
        (f"a tensor on {STANDIN} (a stand-in GPU)", on_device(values)),
        (f"a tensor on {STANDIN} that requires grad (a stand-in GPU)", on_device(values).requires_grad_() * 1),
    ]
    if device.type != "cpu":
        cases.append((f"a tensor on {device}", values.to(device)))
    for what, tensor in cases:
        with simulating():
            array = call_student(part, to_numpy, tensor, hint=hint)
        expect(
            isinstance(array, np.ndarray),
            part,
            f"to_numpy({what}) should return a numpy.ndarray, got {type(array).__name__}",
        )
        wanted = np.dtype(np.float64 if tensor.dtype == torch.float64 else np.float32)
        expect(
            array.dtype == wanted,
            part,
            f"to_numpy({what}) returned a {array.dtype} array: keep the tensor's dtype ({wanted.name}), as the "
            "statement asks (numpy() does; leave out .float(), .double() or a dtype= of your own)",
        )
        expect(
            array.shape == (4,) and np.array_equal(array, np.array([0.0, 2.0, 4.0, 6.0])),
            part,
            f"to_numpy({what}) returned other values than the tensor's",
        )


@self_check("1.3")
def check_stopping_gradients(
    sgd_step: Callable[[list[torch.Tensor], float], None],
    zero_grad: Callable[[list[torch.Tensor]], None],
    to_numpy: Callable[[torch.Tensor], np.ndarray],
    device: torch.device | str | None = None,
) -> None:
    """1.3: an in-place SGD step under ``no_grad``, clearing gradients, tensor -> NumPy (also from a GPU)."""
    part = "1.3"
    device = torch.device(device) if device is not None else torch.device("cpu")
    each(part, lambda: _check_sgd(part, sgd_step, zero_grad), lambda: _check_to_numpy(part, to_numpy, device))
    passed(part, "sgd_step and zero_grad match optim.SGD over 3 steps; to_numpy works on graph and GPU tensors")


# --------------------------------------------------------------------------------------- 1.4
_NO_LINEAR = "linear_forward should do the matrix product and bias itself, not call F.linear or nn.Linear"
_NO_LOG_SOFTMAX = (
    "cross_entropy_loss should compute the log-softmax itself with the log-sum-exp trick "
    "(max, exp, sum, log), not call F.cross_entropy, F.nll_loss, log_softmax or logsumexp"
)
_LINEAR_NAMES = {"linear"}
_LOG_SOFTMAX_NAMES = {
    "cross_entropy",
    "cross_entropy_loss",
    "nll_loss",
    "nll_loss_nd",
    "nll_loss2d",
    "log_softmax",
    "_log_softmax",
    "special_log_softmax",
    "logsumexp",
    "special_logsumexp",
}


def _linear_hint(error: BaseException) -> str:
    message = _message(error)
    if "cannot be multiplied" in message or "size mismatch" in message or "must match the size" in message:
        return "weight has shape (out_features, in_features): multiply the input by its transpose"
    if "nonetype" in message:
        return "bias may be None (no bias): add it only when it is given"
    if "must be a matrix" in message or "2d" in message or "2-d" in message:
        return "the input may have any number of leading dimensions: use matmul (@), which broadcasts, not mm"
    return ""


def _check_linear_case(
    part: str, linear_forward: Callable, what: str, shape: tuple[int, ...], with_bias: bool, dtype: torch.dtype
) -> None:
    generator = torch.Generator().manual_seed(sum(shape))
    x = torch.randn(shape, generator=generator).to(dtype)
    weight = torch.randn(3, shape[-1], generator=generator).to(dtype)
    bias = torch.randn(3, generator=generator).to(dtype) if with_bias else None
    given = [t for t in (x, weight, bias) if t is not None]
    originals = [t.clone() for t in given]
    leaves = [t.clone().requires_grad_() for t in given]
    expected = F.linear(*leaves)
    expected.pow(2).sum().backward()
    mine = [t.clone().requires_grad_() for t in given]
    args = mine if with_bias else [*mine, None]
    with forbidding(part, _NO_LINEAR, _LINEAR_NAMES):
        out = call_student(part, linear_forward, *args, hint=_linear_hint)
    expect_close(out, expected.detach(), part, f"linear_forward ({what})")
    expect(
        all(torch.equal(t.detach(), o) for t, o in zip(mine, originals)),
        part,
        "linear_forward changed one of its arguments in place; only the new output may be changed",
    )
    expect(
        out.requires_grad,
        part,
        "linear_forward's result is not in the graph: keep the computation inside autograd "
        "(no .detach(), .numpy(), .data or torch.no_grad())",
    )
    out.pow(2).sum().backward()
    for name, t, reference in zip(("input", "weight", "bias"), mine, leaves):
        expect(
            t.grad is not None,
            part,
            f"no gradient reached {name}: keep the computation inside autograd (no .detach(), .numpy() or .data)",
        )
        expect_close(t.grad, reference.grad, part, f"the gradient of linear_forward's {name} ({what})")


@self_check("1.4")
def check_linear_forward(linear_forward: Callable[..., torch.Tensor]) -> None:
    """1.4: ``linear_forward`` equals ``F.linear`` (values, dtype and gradients), with and without bias."""
    part = "1.4"
    cases = [
        ("a batch of 8", (8, 5), True, torch.float32),
        ("batch size 1", (1, 5), True, torch.float32),
        ("no bias", (6, 5), False, torch.float32),
        ("a (2, 4, 5) input (extra leading dims)", (2, 4, 5), True, torch.float32),
        ("float64 tensors", (4, 7), True, torch.float64),
    ]
    for what, shape, with_bias, dtype in cases:
        _check_linear_case(part, linear_forward, what, shape, with_bias, dtype)
    passed(part, "linear_forward matches F.linear (values and gradients, with and without bias)")


def _cross_entropy_cases() -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(41)
    return [
        (
            "random logits, batch of 16, 10 classes",
            torch.randn(16, 10, generator=generator) * 3,
            torch.randint(0, 10, (16,), generator=generator),
        ),
        ("batch size 1", torch.randn(1, 4, generator=generator), torch.tensor([2])),
        (
            "logits of ±1000, one row confidently wrong",
            torch.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [-1000.0, -1000.0, -999.0]]),
            torch.tensor([1, 2, 1]),
        ),
        (
            "float64 logits",
            torch.randn(5, 3, generator=generator, dtype=torch.float64) * 2,
            torch.tensor([0, 2, 1, 1, 0]),
        ),
    ]


@self_check("1.4")
def check_cross_entropy_loss(cross_entropy_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """1.4: ``cross_entropy_loss`` equals ``F.cross_entropy`` (mean), also for confidently wrong logits of ±1000."""
    part = "1.4"
    for what, logits, target in _cross_entropy_cases():
        reference_leaf = logits.clone().requires_grad_()
        expected = F.cross_entropy(reference_leaf, target)
        expected.backward()
        leaf = logits.clone().requires_grad_()
        with forbidding(part, _NO_LOG_SOFTMAX, _LOG_SOFTMAX_NAMES):
            loss = call_student(part, cross_entropy_loss, leaf, target.clone())
        expect(
            isinstance(loss, torch.Tensor) and loss.dim() == 0,
            part,
            f"cross_entropy_loss should return one number, a 0-d tensor (the mean over the batch), got "
            f"{tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__}",
        )
        expect(
            bool(torch.isfinite(loss.detach())),
            part,
            f"cross_entropy_loss gave {loss.item()} for {what}: exp() overflowed or a probability underflowed to 0 "
            "before the log. Never form the softmax: subtract each row's maximum m and use "
            "log sum exp z = m + log sum exp (z - m) (the log-sum-exp trick)",
        )
        expect_close(
            loss,
            expected.detach(),
            part,
            f"cross_entropy_loss ({what}; it should be the mean over the batch of logsumexp(z) - z[target])",
        )
        expect(
            loss.requires_grad,
            part,
            "cross_entropy_loss's result is not in the graph: keep the computation inside autograd",
        )
        loss.backward()
        expect_close(leaf.grad, reference_leaf.grad, part, f"the gradient of cross_entropy_loss ({what})")
    passed(part, "cross_entropy_loss matches F.cross_entropy (values and gradients, also at logits of ±1000)")


# --------------------------------------------------------------------------------------- 1.5
_PRODUCTS = {"matmul", "__matmul__", "__rmatmul__", "mm", "einsum", "addmm", "tensordot", "linear", "bmm", "mv"}


def _matmul_hint(error: BaseException) -> str:
    message = _message(error)
    if "same device" in message:
        return "Copy both a and b to the device (.to(device)) before multiplying them there"
    if "must match the size" in message or "cannot be multiplied" in message:
        return "It should compute the matrix product a @ b (not the element-wise a * b)"
    return "It should copy a and b to the device (.to(device)) and compute the matrix product a @ b there"


def _check_matmul_result(part: str, result: Any, expected: torch.Tensor, where: str) -> None:
    expect(isinstance(result, torch.Tensor), part, f"matmul_on should return a tensor, got {type(result).__name__}")
    expect(
        result.dtype == expected.dtype,
        part,
        f"matmul_on({where}) returned {result.dtype}; the statement asks for the product in the inputs' dtype "
        f"({expected.dtype}): multiply a and b as they are (no .double() or .to(torch.float64); MPS has no float64)",
    )
    expect(
        not is_on_device(result) and result.device.type == "cpu",
        part,
        f"matmul_on({where}) returned a tensor on {result.device}: bring the result back to the CPU (.cpu())",
    )
    # Accelerators may sum in another order (or in TF32 if it was switched on): a loose tolerance.
    expect_close(result, expected, part, f"matmul_on({where}) (a (256, 128) @ (128, 64) product)", atol=5e-2, rtol=1e-2)


@self_check("1.5")
def check_matmul_on(
    matmul_on: Callable[[torch.Tensor, torch.Tensor, Any], torch.Tensor], device: torch.device | str
) -> None:
    """1.5: ``matmul_on(a, b, device)`` returns, on the CPU, ``a @ b`` computed on ``device`` (and on a stand-in)."""
    part = "1.5"
    device = torch.device(device)
    generator = torch.Generator().manual_seed(15)
    a = torch.randn(256, 128, generator=generator)
    b = torch.randn(128, 64, generator=generator)
    expected = a @ b  # computed on the CPU
    a_before, b_before = a.clone(), b.clone()
    result = call_student(part, matmul_on, a, b, device, hint=_matmul_hint)
    expect(
        a.device.type == "cpu" and b.device.type == "cpu" and torch.equal(a, a_before) and torch.equal(b, b_before),
        part,
        "matmul_on changed its inputs; .to(device) returns a new tensor, leave a and b as they are",
    )
    _check_matmul_result(part, result, expected, str(device))
    worst = (result.float() - expected).abs().max().item()

    # The same on a stand-in GPU: forgetting .cpu(), moving a or b themselves, or multiplying on the CPU shows.
    host_a, host_b = on_host(a.clone()), on_host(b.clone())
    pointers = (host_a.data_ptr(), host_b.data_ptr())
    with recording() as operations, simulating():
        result = call_student(part, matmul_on, host_a, host_b, STANDIN, hint=_matmul_hint)
    expect(
        not is_on_device(host_a) and not is_on_device(host_b) and (host_a.data_ptr(), host_b.data_ptr()) == pointers,
        part,
        f"matmul_on moved its inputs a and b themselves to {STANDIN} (a stand-in GPU): `a.data = a.data.to(device)` "
        "changes the caller's tensors. Keep the copies in new variables: a_on_device = a.to(device)",
    )
    expect(
        torch.equal(host_a.as_subclass(torch.Tensor), a_before)
        and torch.equal(host_b.as_subclass(torch.Tensor), b_before),
        part,
        "matmul_on changed its inputs; .to(device) returns a new tensor, leave a and b as they are",
    )
    _check_matmul_result(part, result, expected, f"{STANDIN}, a stand-in GPU")
    expect(
        any(name in _PRODUCTS and where == "device" for name, where in operations),
        part,
        f"matmul_on computed the product on the CPU and only then moved it (checked on {STANDIN}, a stand-in GPU): "
        "copy a and b to the device first and multiply them there",
    )
    passed(part, f"matmul_on on {device} equals the CPU result (max difference {worst:.1e}); device moves are right")

"""Self-checks for question 1 (`notebooks/hw08-q01.ipynb`): tensors, autograd and devices.

One check per part (two for 1.4). Each prints one ``✓ 1.N ...`` line when the student's
functions are right, raises ``AssertionError("✗ 1.N: hint")`` when they are not, and
``NotImplementedError`` naming the part while a function is still a stub. References are
PyTorch's own operations (``torch.from_numpy``'s memory sharing is tested as a property,
``nn.Flatten``, torchvision's ``normalize``, ``torch.autograd``, ``torch.optim.SGD``,
``F.linear``, ``F.cross_entropy``, CPU ``matmul``), never a copy of the answer.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._core import call_checked, expect, expect_close, passed

__all__ = [
    "check_autograd",
    "check_cross_entropy_loss",
    "check_linear_forward",
    "check_matmul_on",
    "check_stopping_gradients",
    "check_tensors",
]

_MISSING = object()


@contextlib.contextmanager
def _forbidden(part: str, reason: str, targets: list[tuple[Any, str]]) -> Iterator[None]:
    """Make ``owner.name`` raise ``✗ part: reason`` for the duration (restored afterwards)."""
    saved = []
    for owner, name in targets:
        if isinstance(owner, type):
            saved.append((owner, name, owner.__dict__.get(name, _MISSING)))
        else:
            saved.append((owner, name, getattr(owner, name)))

    def blocked(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError(f"✗ {part}: {reason}")

    try:
        for owner, name, _ in saved:
            setattr(owner, name, blocked)
        yield
    finally:
        for owner, name, original in saved:
            if original is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, original)


# --------------------------------------------------------------------------------------- 1.1
def check_tensors(
    share_and_copy: Callable[[np.ndarray], tuple[torch.Tensor, torch.Tensor]],
    hwc_to_nchw: Callable[[torch.Tensor], torch.Tensor],
    flatten_images: Callable[[torch.Tensor], torch.Tensor],
    normalize_channels: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
) -> None:
    """1.1: memory sharing with NumPy, HWC -> NCHW, flattening any layout, channel broadcasting."""
    part = "1.1"
    from torchvision.transforms.functional import normalize

    # share_and_copy: one tensor shares the array's memory, the other owns a copy.
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    result = call_checked(part, share_and_copy, array)
    expect(
        isinstance(result, tuple) and len(result) == 2 and all(isinstance(t, torch.Tensor) for t in result),
        part,
        "share_and_copy should return a pair of tensors (shared, copied)",
    )
    shared, copied = result
    for name, tensor in (("shared", shared), ("copied", copied)):
        expect(
            tuple(tensor.shape) == (2, 3) and tensor.dtype == torch.float32,
            part,
            f"share_and_copy: {name} has shape {tuple(tensor.shape)} and dtype {tensor.dtype}; "
            "expected the array's shape (2, 3) and dtype float32",
        )
        expect(
            torch.equal(tensor, torch.arange(6.0).reshape(2, 3)),
            part,
            f"share_and_copy: {name} holds other values than the array",
        )
    array[0, 0] = 100.0
    expect(
        shared[0, 0].item() == 100.0,
        part,
        "share_and_copy: after array[0, 0] = 100 the shared tensor did not change; "
        "build it with the constructor that reuses the NumPy buffer instead of copying it",
    )
    expect(
        copied[0, 0].item() == 0.0,
        part,
        "share_and_copy: after array[0, 0] = 100 the copied tensor changed too; "
        "it must own its memory (a constructor that copies the data)",
    )

    # hwc_to_nchw: moves the channel axis, as a view of the same memory.
    images = torch.arange(2 * 3 * 4 * 3).reshape(2, 3, 4, 3)  # N=2, H=3, W=4, C=3
    out = call_checked(part, hwc_to_nchw, images)
    expect(isinstance(out, torch.Tensor), part, f"hwc_to_nchw should return a tensor, got {type(out).__name__}")
    expect(
        tuple(out.shape) == (2, 3, 3, 4),
        part,
        f"hwc_to_nchw turned shape (N, H, W, C) = (2, 3, 4, 3) into {tuple(out.shape)}; expected (N, C, H, W) = (2, 3, 3, 4)",
    )
    moved = all(
        out[n, c, h, w] == images[n, h, w, c]
        for n, h, w, c in itertools.product(range(2), range(3), range(4), range(3))
    )
    expect(
        moved,
        part,
        "hwc_to_nchw has the right shape but pixels in the wrong places: view()/reshape() only relabel the "
        "memory in its order, they do not move an axis. Reorder the dimensions instead",
    )
    expect(
        out.data_ptr() == images.data_ptr(),
        part,
        "hwc_to_nchw copied the data: reordering dimensions can be a view of the same memory "
        "(leave .contiguous() to whoever needs it)",
    )
    single = torch.rand(1, 5, 6, 1)
    expect(
        tuple(call_checked(part, hwc_to_nchw, single).shape) == (1, 1, 5, 6),
        part,
        "hwc_to_nchw should also work for one grey-scale image, (1, 5, 6, 1) -> (1, 1, 5, 6)",
    )

    # flatten_images: like nn.Flatten, also on a non-contiguous batch.
    flatten = nn.Flatten()
    contiguous = torch.randn(4, 3, 5, 2)
    expect_close(
        call_checked(part, flatten_images, contiguous),
        flatten(contiguous),
        part,
        "flatten_images(a (4, 3, 5, 2) batch)",
    )
    permuted = torch.randn(4, 5, 2, 3).permute(0, 3, 1, 2)  # (4, 3, 5, 2) but not contiguous
    flat = call_checked(
        part,
        flatten_images,
        permuted,
        hint="The input was a non-contiguous tensor (a permuted batch): view() cannot express it with "
        "new strides over the same memory. Use the operation that copies when it has to",
    )
    expect_close(flat, flatten(permuted), part, "flatten_images(a permuted, non-contiguous batch)")

    # normalize_channels: broadcasting (C,) statistics over (N, C, H, W).
    batch = torch.rand(5, 3, 4, 4)
    before = batch.clone()
    mean, std = torch.tensor([0.5, 0.25, 0.75]), torch.tensor([0.2, 0.5, 0.1])
    result = call_checked(
        part,
        normalize_channels,
        batch,
        mean,
        std,
        hint="Broadcasting lines shapes up from the right, so a (C,) tensor meets W, not C: "
        "give mean and std a shape that lines up with the channel dimension of (N, C, H, W)",
    )
    expect(torch.equal(batch, before), part, "normalize_channels changed its input in place; return a new tensor")
    expect_close(result, normalize(before, mean.tolist(), std.tolist()), part, "normalize_channels (3 channels)")
    grey = torch.rand(2, 1, 3, 3)
    expect_close(
        call_checked(part, normalize_channels, grey, torch.tensor([0.3]), torch.tensor([0.2])),
        normalize(grey, [0.3], [0.2]),
        part,
        "normalize_channels (1 channel)",
    )
    passed(part, "share_and_copy, hwc_to_nchw, flatten_images and normalize_channels behave like PyTorch's own ops")


# --------------------------------------------------------------------------------------- 1.2
def _cubic_and_sine(x: torch.Tensor) -> torch.Tensor:
    return (x**3).sum() + torch.sin(x).prod()


def _mixed(x: torch.Tensor) -> torch.Tensor:
    return (x.exp() * x.roll(1, dims=-1)).sum() / 3


def check_autograd(
    numerical_grad: Callable[..., torch.Tensor],
    vector_backward: Callable[[Callable, torch.Tensor, torch.Tensor], torch.Tensor],
) -> None:
    """1.2: central differences agree with autograd; ``backward(gradient=v)`` gives ``v^T J``."""
    part = "1.2"
    generator = torch.Generator().manual_seed(12)
    eps = 1e-2  # large enough that a one-sided difference is visibly off
    for f, shape in ((_cubic_and_sine, (5,)), (_mixed, (3, 4))):
        x = torch.randn(shape, dtype=torch.float64, generator=generator)
        before = x.clone()
        leaf = x.clone().requires_grad_()
        (reference,) = torch.autograd.grad(f(leaf), [leaf])
        estimate = call_checked(part, numerical_grad, f, x, eps)
        expect(torch.equal(x, before), part, "numerical_grad changed x; perturb a copy (or put every entry back)")
        expect(
            isinstance(estimate, torch.Tensor) and tuple(estimate.shape) == shape,
            part,
            f"numerical_grad should return a tensor shaped like x {shape}, "
            f"got {tuple(estimate.shape) if isinstance(estimate, torch.Tensor) else type(estimate).__name__}",
        )
        estimate = estimate.detach().to(torch.float64)
        worst = (estimate - reference).abs().max().item()
        expect(
            torch.allclose(estimate, reference, atol=1e-3, rtol=1e-3),
            part,
            f"numerical_grad(eps={eps}) differs from autograd by up to {worst:.3g} on an input of shape {shape}. "
            "Use the central difference (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), one entry i at a time; "
            "a one-sided difference is only first-order accurate",
        )

    # vector_backward: v^T J for a non-scalar output, the same on every call.
    weights = torch.randn(4, 3, dtype=torch.float64, generator=generator)

    def f(x: torch.Tensor) -> torch.Tensor:
        return weights @ torch.sin(x) + x.sum() ** 2

    x = torch.randn(3, dtype=torch.float64, generator=generator)
    v = torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=torch.float64)
    _, reference = torch.autograd.functional.vjp(f, x, v)
    first = call_checked(part, vector_backward, f, x, v)
    expect_close(
        first,
        reference,
        part,
        "vector_backward(f, x, v) (it should be v^T J, the gradient of (f(x) * v).sum(); pass v as backward's gradient=)",
        atol=1e-8,
        rtol=1e-6,
    )
    second = call_checked(part, vector_backward, f, x, v)
    expect(
        torch.allclose(second.detach(), reference, atol=1e-8, rtol=1e-6),
        part,
        "vector_backward gave another answer the second time: gradients accumulate in .grad over "
        "backward() calls. Work on a fresh leaf (x.detach().clone().requires_grad_()) each call",
    )
    expect(not x.requires_grad and x.grad is None, part, "vector_backward changed the caller's x; work on a copy of it")
    passed(part, "numerical_grad agrees with autograd and vector_backward returns v^T J")


# --------------------------------------------------------------------------------------- 1.3
def check_stopping_gradients(
    sgd_step: Callable[[list[torch.Tensor], float], None],
    zero_grad: Callable[[list[torch.Tensor]], None],
    to_numpy: Callable[[torch.Tensor], np.ndarray],
    device: torch.device | str | None = None,
) -> None:
    """1.3: an in-place SGD step under ``no_grad``, clearing gradients, tensor -> NumPy."""
    part = "1.3"
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

    for step in range(3):
        loss_of(mine).backward()
        loss_of(theirs).backward()
        addresses = [p.data_ptr() for p in mine]
        call_checked(
            part,
            sgd_step,
            mine,
            0.1,
            hint="Changing a leaf that requires grad in place is only allowed inside `with torch.no_grad():`; "
            "skip parameters whose .grad is None, as optimizer.step() does",
        )
        optimizer.step()
        expect(
            all(p.is_leaf and p.requires_grad for p in mine),
            part,
            "after sgd_step the parameters are no longer leaves that require grad: update them in place under torch.no_grad()",
        )
        expect(
            [p.data_ptr() for p in mine] == addresses,
            part,
            "sgd_step should update each parameter in place (p -= ..., or p.sub_(...)) rather than build new tensors",
        )
        if step == 0:
            expect(
                not torch.equal(mine[0].detach(), start[0]),
                part,
                "sgd_step left the parameters unchanged: `p = p - lr * p.grad` only rebinds the name p. "
                "Change the tensor itself, in place",
            )
        for name, a, b in zip(("weight", "bias", "frozen"), mine, theirs):
            expect_close(
                a, b.detach(), part, f"after sgd_step, step {step + 1}, the {name} parameter (compared with optim.SGD)"
            )
        call_checked(part, zero_grad, mine)
        optimizer.zero_grad()
        expect(
            all(p.grad is None or not p.grad.any() for p in mine),
            part,
            "after zero_grad every .grad should be None or all zeros; otherwise the next backward() adds to it",
        )

    # to_numpy: works on a tensor that requires grad and on a tensor on the accelerator.
    cases = [("a tensor that requires grad", torch.arange(4.0, requires_grad=True) * 2)]
    device = torch.device(device) if device is not None else torch.device("cpu")
    if device.type != "cpu":
        cases.append((f"a tensor on {device}", (torch.arange(4.0) * 2).to(device)))
    for what, tensor in cases:
        array = call_checked(
            part,
            to_numpy,
            tensor,
            hint="numpy() needs a tensor outside the graph (detach()) and in CPU memory (cpu())",
        )
        expect(
            isinstance(array, np.ndarray),
            part,
            f"to_numpy({what}) should return a numpy.ndarray, got {type(array).__name__}",
        )
        expect(
            array.shape == (4,) and np.array_equal(array, np.array([0.0, 2.0, 4.0, 6.0], dtype=np.float32)),
            part,
            f"to_numpy({what}) returned other values than the tensor's",
        )
    where = f" (also from {device})" if device.type != "cpu" else ""
    passed(part, f"sgd_step and zero_grad match optim.SGD over 3 steps; to_numpy works on graph tensors{where}")


# --------------------------------------------------------------------------------------- 1.4
_NO_LINEAR = "linear_forward should do the matrix product and bias itself, not call F.linear or nn.Linear"
_NO_LOG_SOFTMAX = (
    "cross_entropy_loss should compute the log-softmax itself with the log-sum-exp trick "
    "(max, exp, sum, log), not call F.cross_entropy, F.nll_loss, log_softmax or logsumexp"
)


def _linear_blocked() -> list[tuple[Any, str]]:
    return [(F, "linear")]


def _log_softmax_blocked() -> list[tuple[Any, str]]:
    return [
        (F, "cross_entropy"),
        (F, "nll_loss"),
        (F, "log_softmax"),
        (torch, "log_softmax"),
        (torch, "logsumexp"),
        (torch.special, "log_softmax"),
        (torch.special, "logsumexp"),
        (torch.Tensor, "log_softmax"),
        (torch.Tensor, "logsumexp"),
    ]


def check_linear_forward(linear_forward: Callable[..., torch.Tensor]) -> None:
    """1.4: ``linear_forward`` equals ``F.linear`` (values and gradients), with and without bias."""
    part = "1.4"
    generator = torch.Generator().manual_seed(14)
    cases = [
        ("a batch of 8", (8, 5), True),
        ("batch size 1", (1, 5), True),
        ("no bias", (6, 5), False),
        ("a (2, 4, 5) input (extra leading dims)", (2, 4, 5), True),
    ]
    for what, shape, with_bias in cases:
        x = torch.randn(shape, generator=generator)
        weight = torch.randn(3, 5, generator=generator)
        bias = torch.randn(3, generator=generator) if with_bias else None
        originals = [t.clone() for t in (x, weight, bias) if t is not None]
        leaves = [t.clone().requires_grad_() if t is not None else None for t in (x, weight, bias)]
        expected = F.linear(*leaves)
        expected.pow(2).sum().backward()
        expected_grads = [t.grad for t in leaves if t is not None]

        mine = [t.clone().requires_grad_() if t is not None else None for t in (x, weight, bias)]
        with _forbidden(part, _NO_LINEAR, _linear_blocked()):
            out = call_checked(
                part,
                linear_forward,
                *mine,
                hint="weight has shape (out_features, in_features): multiply the input by its transpose",
            )
        expect_close(out, expected, part, f"linear_forward ({what})")
        expect(
            all(torch.equal(t.detach(), o) for t, o in zip([t for t in mine if t is not None], originals)),
            part,
            "linear_forward changed one of its arguments in place; only the new output may be changed",
        )
        out.pow(2).sum().backward()
        for name, t, g in zip(("input", "weight", "bias"), [t for t in mine if t is not None], expected_grads):
            expect(
                t.grad is not None,
                part,
                f"no gradient reached {name}: keep the computation inside autograd (no .detach(), .numpy() or .data)",
            )
            expect_close(t.grad, g, part, f"the gradient of linear_forward's {name} ({what})")
    passed(part, "linear_forward matches F.linear (values and gradients, with and without bias)")


def check_cross_entropy_loss(cross_entropy_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """1.4: ``cross_entropy_loss`` equals ``F.cross_entropy`` (mean), stays finite at logits of ±1000."""
    part = "1.4"
    generator = torch.Generator().manual_seed(41)
    cases = [
        (
            "random logits, batch of 16, 10 classes",
            torch.randn(16, 10, generator=generator) * 3,
            torch.randint(0, 10, (16,), generator=generator),
        ),
        ("batch size 1", torch.randn(1, 4, generator=generator), torch.tensor([2])),
        (
            "logits of ±1000",
            torch.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [-1000.0, -1000.0, -999.0]]),
            torch.tensor([0, 2, 1]),
        ),
    ]
    for what, logits, target in cases:
        reference_leaf = logits.clone().requires_grad_()
        expected = F.cross_entropy(reference_leaf, target)
        expected.backward()
        leaf = logits.clone().requires_grad_()
        with _forbidden(part, _NO_LOG_SOFTMAX, _log_softmax_blocked()):
            loss = call_checked(part, cross_entropy_loss, leaf, target)
        expect(
            isinstance(loss, torch.Tensor) and loss.dim() == 0,
            part,
            f"cross_entropy_loss should return one number, a 0-d tensor (the mean over the batch), got "
            f"{tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__}",
        )
        expect(
            bool(torch.isfinite(loss.detach())),
            part,
            f"cross_entropy_loss gave {loss.item()} for {what}: exp(1000) overflows to inf. Subtract each row's "
            "maximum before exp (log-sum-exp trick): log sum exp z = m + log sum exp (z - m)",
        )
        expect_close(
            loss,
            expected,
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
def check_matmul_on(
    matmul_on: Callable[[torch.Tensor, torch.Tensor, Any], torch.Tensor], device: torch.device | str
) -> None:
    """1.5: ``matmul_on(a, b, device)`` returns the CPU result of ``a @ b`` computed on ``device``."""
    part = "1.5"
    device = torch.device(device)
    generator = torch.Generator().manual_seed(15)
    a = torch.randn(256, 128, generator=generator)
    b = torch.randn(128, 64, generator=generator)
    a_before, b_before = a.clone(), b.clone()
    expected = a @ b  # computed on the CPU
    result = call_checked(
        part,
        matmul_on,
        a,
        b,
        device,
        hint="It should copy a and b to the device (.to(device)) and compute the matrix product a @ b there",
    )
    expect(isinstance(result, torch.Tensor), part, f"matmul_on should return a tensor, got {type(result).__name__}")
    expect(
        result.device.type == "cpu",
        part,
        f"matmul_on returned a tensor on {result.device}: bring the result back to the CPU (.cpu())",
    )
    expect(
        a.device.type == "cpu" and torch.equal(a, a_before) and torch.equal(b, b_before),
        part,
        "matmul_on changed its inputs; .to(device) returns a new tensor, leave a and b as they are",
    )
    # Accelerators may sum in another order (or in TF32 if it was switched on): a loose tolerance.
    expect_close(
        result, expected, part, f"matmul_on(a, b, {device}) (a (256, 128) @ (128, 64) product)", atol=5e-2, rtol=1e-2
    )
    worst = (result.float() - expected).abs().max().item()
    passed(part, f"matmul_on on {device} equals the CPU result (max difference {worst:.1e})")

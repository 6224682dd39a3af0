"""Hidden cases of question 1: the student's functions against the solution's on inputs the self-checks never use.

Other shapes (more dimensions, odd sizes), float64 and integer dtypes, other functions
and step sizes, so that code tuned to the visible self-check's inputs fails.
"""

from __future__ import annotations

import numpy as np
import torch

from ._compare import close, generator, require, tensor
from ._registry import Context, case


# --------------------------------------------------------------------------------------- 1.1
@case("1.1", "share_and_copy on a float64 (3, 4, 5) array and an int32 (7,) array")
def _share_and_copy(ctx: Context) -> None:
    rng = np.random.default_rng(101)
    for array in (rng.standard_normal((3, 4, 5)), rng.integers(-50, 50, size=7).astype(np.int32)):
        result = ctx.student.share_and_copy(array)
        require(isinstance(result, tuple) and len(result) == 2, "share_and_copy should return a pair (shared, copied)")
        shared, copied = (tensor(t, f"share_and_copy's {w}") for t, w in zip(result, ("shared", "copied")))
        expected = torch.from_numpy(array.copy())
        close(shared, expected, f"the shared tensor of a {array.dtype} {array.shape} array", atol=0, rtol=0)
        close(copied, expected, f"the copied tensor of a {array.dtype} {array.shape} array", atol=0, rtol=0)
        array.flat[-1] += 1
        require(
            shared.reshape(-1)[-1].item() == array.flat[-1],
            f"the shared tensor of a {array.dtype} array does not share its memory",
        )
        require(
            copied.reshape(-1)[-1].item() != array.flat[-1],
            f"the copied tensor of a {array.dtype} array shares its memory",
        )


@case("1.1", "hwc_to_nchw on a float64 (3, 6, 5, 2) batch and an int64 (1, 2, 9, 4) batch")
def _hwc_to_nchw(ctx: Context) -> None:
    g = generator(102)
    for images in (
        torch.randn(3, 6, 5, 2, dtype=torch.float64, generator=g),
        torch.randint(0, 255, (1, 2, 9, 4), generator=g),
    ):
        out = ctx.student.hwc_to_nchw(images)
        close(
            out,
            ctx.reference.hwc_to_nchw(images.clone()),
            f"hwc_to_nchw of a {tuple(images.shape)} batch",
            atol=0,
            rtol=0,
        )
        require(
            out.data_ptr() == images.data_ptr(),
            f"hwc_to_nchw copied a {tuple(images.shape)} batch instead of returning a view",
        )


@case("1.1", "flatten_images on (5, 2, 7, 3) batches, contiguous and permuted")
def _flatten_images(ctx: Context) -> None:
    g = generator(103)
    contiguous = torch.randn(5, 2, 7, 3, generator=g)
    permuted = torch.randn(5, 7, 3, 2, dtype=torch.float64, generator=g).permute(0, 3, 1, 2)
    for what, images in (("a contiguous", contiguous), ("a non-contiguous float64", permuted)):
        close(
            ctx.student.flatten_images(images),
            ctx.reference.flatten_images(images),
            f"flatten_images of {what} (5, 2, 7, 3) batch",
            atol=0,
            rtol=0,
        )


@case("1.1", "normalize_channels on a float64 (4, 5, 6, 7) batch with 5 channels")
def _normalize_channels(ctx: Context) -> None:
    g = generator(104)
    images = torch.randn(4, 5, 6, 7, dtype=torch.float64, generator=g) * 3 + 1
    mean = torch.randn(5, dtype=torch.float64, generator=g)
    std = torch.rand(5, dtype=torch.float64, generator=g) + 0.5
    before = images.clone()
    out = ctx.student.normalize_channels(images, mean, std)
    require(torch.equal(images, before), "normalize_channels changed its input images")
    close(
        out,
        ctx.reference.normalize_channels(before, mean, std),
        "normalize_channels of a (4, 5, 6, 7) batch",
        atol=1e-12,
    )


# --------------------------------------------------------------------------------------- 1.2
def _tanh_cos(x: torch.Tensor) -> torch.Tensor:
    return (torch.tanh(x) * torch.cos(2 * x)).sum() + x.pow(4).mean()


@case("1.2", "numerical_grad of another function on a (2, 3, 2) input, eps 1e-4 and 0.3")
def _numerical_grad(ctx: Context) -> None:
    x = torch.randn(2, 3, 2, dtype=torch.float64, generator=generator(121))
    before = x.clone()
    for eps in (1e-4, 0.3):  # a large eps shows a missing or ignored eps argument
        out = ctx.student.numerical_grad(_tanh_cos, x, eps)
        require(torch.equal(x, before), "numerical_grad changed x")
        close(
            tensor(out, "numerical_grad").detach(),
            ctx.reference.numerical_grad(_tanh_cos, before.clone(), eps),
            f"numerical_grad with eps={eps}",
            atol=1e-7,
            rtol=1e-6,
        )


@case("1.2", "vector_backward of a (5,) -> (2, 3) function, called twice")
def _vector_backward(ctx: Context) -> None:
    g = generator(122)
    weights = torch.randn(6, 5, dtype=torch.float64, generator=g)

    def f(x: torch.Tensor) -> torch.Tensor:
        return (weights @ torch.exp(x / 3)).reshape(2, 3) * x.sum()

    x = torch.randn(5, dtype=torch.float64, generator=g)
    v = torch.randn(2, 3, dtype=torch.float64, generator=g)
    expected = ctx.reference.vector_backward(f, x.clone(), v)
    for call in ("first", "second"):
        out = ctx.student.vector_backward(f, x, v)
        close(tensor(out, "vector_backward").detach(), expected.detach(), f"vector_backward ({call} call)", atol=1e-10)
    require(not x.requires_grad and x.grad is None, "vector_backward changed the caller's x")


# --------------------------------------------------------------------------------------- 1.3
def _params(seed: int) -> list[torch.Tensor]:
    g = generator(seed)
    return [torch.randn(4, 3, generator=g), torch.randn(3, generator=g), torch.randn(2, 2, generator=g)]


@case("1.3", "sgd_step and zero_grad on three parameters (one without gradient), lr 0.037, four steps")
def _sgd(ctx: Context) -> None:
    start = _params(131)
    data = torch.randn(10, 4, generator=generator(132))
    mine = [p.clone().requires_grad_() for p in start]
    theirs = [p.clone().requires_grad_() for p in start]

    def loss(params: list[torch.Tensor]) -> torch.Tensor:
        return (torch.tanh(data @ params[0] + params[1]) ** 2).sum()

    for step in range(4):
        loss(mine).backward()
        loss(theirs).backward()
        pointers = [p.data_ptr() for p in mine]
        ctx.student.sgd_step(mine, 0.037)
        ctx.reference.sgd_step(theirs, 0.037)
        require([p.data_ptr() for p in mine] == pointers, "sgd_step did not update the parameters in place")
        require(
            all(p.is_leaf and p.requires_grad for p in mine),
            "after sgd_step the parameters are no longer leaves requiring grad",
        )
        for index, (a, b) in enumerate(zip(mine, theirs)):
            close(a.detach(), b.detach(), f"parameter {index} after step {step + 1}")
        ctx.student.zero_grad(mine)
        ctx.reference.zero_grad(theirs)
        require(all(p.grad is None or not p.grad.any() for p in mine), "zero_grad left a gradient behind")


@case("1.3", "to_numpy of a float64 (3, 2) tensor that requires grad")
def _to_numpy(ctx: Context) -> None:
    t = torch.randn(3, 2, dtype=torch.float64, generator=generator(133)).requires_grad_() * 2
    array = ctx.student.to_numpy(t)
    require(isinstance(array, np.ndarray), f"to_numpy should return a NumPy array, got {type(array).__name__}")
    expected = ctx.reference.to_numpy(t)
    require(
        array.dtype == expected.dtype and array.shape == expected.shape,
        f"to_numpy returned a {array.dtype} array of shape {array.shape}",
    )
    require(np.array_equal(array, expected), "to_numpy returned other values than the tensor's")


# --------------------------------------------------------------------------------------- 1.4
@case("1.4", "linear_forward on a float64 (3, 2, 7) input, with and without bias, values and gradients")
def _linear_forward(ctx: Context) -> None:
    g = generator(141)
    for with_bias in (True, False):
        x = torch.randn(3, 2, 7, dtype=torch.float64, generator=g)
        weight = torch.randn(4, 7, dtype=torch.float64, generator=g)
        bias = torch.randn(4, dtype=torch.float64, generator=g) if with_bias else None
        outputs, grads = [], []
        for fn in (ctx.student.linear_forward, ctx.reference.linear_forward):
            leaves = [t.clone().requires_grad_() if t is not None else None for t in (x, weight, bias)]
            out = fn(*leaves)
            tensor(out, "linear_forward").pow(2).sum().backward()
            outputs.append(out.detach())
            grads.append([t.grad for t in leaves if t is not None])
        what = "with bias" if with_bias else "without bias"
        close(outputs[0], outputs[1], f"linear_forward ({what})", atol=1e-10)
        for name, mine, theirs in zip(("input", "weight", "bias"), *grads):
            require(mine is not None, f"no gradient reached linear_forward's {name} ({what})")
            close(mine, theirs, f"the gradient of linear_forward's {name} ({what})", atol=1e-9)


@case("1.4", "cross_entropy_loss on (7, 5) logits of size up to 80, float32 and float64, values and gradients")
def _cross_entropy(ctx: Context) -> None:
    g = generator(142)
    for dtype in (torch.float32, torch.float64):
        logits = torch.randn(7, 5, dtype=dtype, generator=g) * 40
        logits[2] = torch.tensor([80.0, -80.0, 79.0, 0.0, -3.0], dtype=dtype)
        target = torch.randint(0, 5, (7,), generator=g)
        values, grads = [], []
        for fn in (ctx.student.cross_entropy_loss, ctx.reference.cross_entropy_loss):
            leaf = logits.clone().requires_grad_()
            loss = tensor(fn(leaf, target), "cross_entropy_loss")
            require(loss.dim() == 0, f"cross_entropy_loss should return a 0-d tensor, got shape {tuple(loss.shape)}")
            loss.backward()
            values.append(loss.detach())
            grads.append(leaf.grad)
        tol = 1e-5 if dtype == torch.float32 else 1e-10
        close(values[0], values[1], f"cross_entropy_loss ({dtype})", atol=tol, rtol=tol)
        require(grads[0] is not None, f"no gradient reached the logits ({dtype})")
        close(grads[0], grads[1], f"the gradient of cross_entropy_loss ({dtype})", atol=tol, rtol=tol)


# --------------------------------------------------------------------------------------- 1.5
@case("1.5", "matmul_on of (33, 17) @ (17, 9), on the CPU and on the notebook's device")
def _matmul_on(ctx: Context) -> None:
    g = generator(151)
    a, b = torch.randn(33, 17, generator=g), torch.randn(17, 9, generator=g)
    before = (a.clone(), b.clone())
    for device in dict.fromkeys([torch.device("cpu"), ctx.device]):
        out = tensor(ctx.student.matmul_on(a, b, device), "matmul_on")
        require(out.device.type == "cpu", f"matmul_on({device}) returned a tensor on {out.device}, not on the CPU")
        require(torch.equal(a, before[0]) and torch.equal(b, before[1]), "matmul_on changed its inputs")
        close(out, ctx.reference.matmul_on(a, b, device), f"matmul_on on {device}", atol=5e-2, rtol=1e-2)

"""Hidden cases of question 1: the student's functions against the solution's on inputs the self-checks never use.

Other shapes (more dimensions, odd sizes), float64 and integer dtypes, other functions
and step sizes, so that code tuned to the visible self-check's inputs fails. What only the
kernel can see (shared memory, views, in-place updates, gradients of the student's graph)
is observed there by a short procedure; every value it reports is compared here.
"""

from __future__ import annotations

import numpy as np
import torch

from ._compare import close, generator, kind_of, pair, require, tensor
from ._registry import Context, case

# --------------------------------------------------------------------------------------- 1.1
SHARE_AND_COPY = """
import torch
def procedure(arrays):
    seen = []
    for array in arrays:
        result = student.share_and_copy(array)
        if not (isinstance(result, tuple) and len(result) == 2 and all(isinstance(t, torch.Tensor) for t in result)):
            seen.append({"result": result})
            continue
        values = [t.clone() for t in result]
        array.flat[-1] += 1
        seen.append({"result": tuple(values), "last": [t.reshape(-1)[-1].item() for t in result],
                     "array": array.flat[-1].item()})
    return seen
"""


@case("1.1", "share_and_copy on a float64 (3, 4, 5) array and an int32 (7,) array")
def _share_and_copy(ctx: Context) -> None:
    rng = np.random.default_rng(101)
    arrays = [rng.standard_normal((3, 4, 5)), rng.integers(-50, 50, size=7).astype(np.int32)]
    seen = ctx.student.run(SHARE_AND_COPY, arrays=arrays)
    require(type(seen) is list and len(seen) == 2, "share_and_copy could not be observed")
    for array, observed in zip(arrays, seen):
        result = observed.get("result") if type(observed) is dict else None
        shared, copied = pair(result, "share_and_copy")
        tensor(shared, "share_and_copy's shared tensor"), tensor(copied, "share_and_copy's copied tensor")
        expected = torch.from_numpy(array.copy())
        close(shared, expected, f"the shared tensor of a {array.dtype} {array.shape} array", atol=0, rtol=0)
        close(copied, expected, f"the copied tensor of a {array.dtype} {array.shape} array", atol=0, rtol=0)
        last, now = observed.get("last"), observed.get("array")
        require(type(last) is list and len(last) == 2, "share_and_copy could not be observed")
        require(last[0] == now, f"the shared tensor of a {array.dtype} array does not share its memory")
        require(last[1] != now, f"the copied tensor of a {array.dtype} array shares its memory")


HWC_TO_NCHW = """
import torch
def procedure(images):
    out = student.hwc_to_nchw(images)
    return {"out": out, "view": isinstance(out, torch.Tensor) and out.data_ptr() == images.data_ptr()}
"""


@case("1.1", "hwc_to_nchw on a float64 (3, 6, 5, 2) batch and an int64 (1, 2, 9, 4) batch")
def _hwc_to_nchw(ctx: Context) -> None:
    g = generator(102)
    for images in (
        torch.randn(3, 6, 5, 2, dtype=torch.float64, generator=g),
        torch.randint(0, 255, (1, 2, 9, 4), generator=g),
    ):
        seen = ctx.student.run(HWC_TO_NCHW, images=images)
        close(
            seen["out"],
            ctx.reference.hwc_to_nchw(images.clone()),
            f"hwc_to_nchw of a {tuple(images.shape)} batch",
            atol=0,
            rtol=0,
        )
        require(seen["view"] is True, f"hwc_to_nchw copied a {tuple(images.shape)} batch instead of returning a view")


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


UNCHANGED = """
import torch
def procedure(name, args):
    before = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    out = getattr(student, name)(*args)
    same = all(torch.equal(a, b) for a, b in zip(args, before) if isinstance(a, torch.Tensor))
    return {"out": out, "unchanged": same}
"""


@case("1.1", "normalize_channels on a float64 (4, 5, 6, 7) batch with 5 channels")
def _normalize_channels(ctx: Context) -> None:
    g = generator(104)
    images = torch.randn(4, 5, 6, 7, dtype=torch.float64, generator=g) * 3 + 1
    mean = torch.randn(5, dtype=torch.float64, generator=g)
    std = torch.rand(5, dtype=torch.float64, generator=g) + 0.5
    seen = ctx.student.run(UNCHANGED, name="normalize_channels", args=[images, mean, std])
    require(seen["unchanged"] is True, "normalize_channels changed its input images")
    close(
        seen["out"],
        ctx.reference.normalize_channels(images.clone(), mean, std),
        "normalize_channels of a (4, 5, 6, 7) batch",
        atol=1e-12,
    )


# --------------------------------------------------------------------------------------- 1.2
TANH_COS = """
import torch
def f(x):
    return (torch.tanh(x) * torch.cos(2 * x)).sum() + x.pow(4).mean()
"""


def _tanh_cos(x: torch.Tensor) -> torch.Tensor:
    return (torch.tanh(x) * torch.cos(2 * x)).sum() + x.pow(4).mean()


NUMERICAL_GRAD = (
    TANH_COS
    + """
def procedure(x, steps):
    before = x.clone()
    seen = []
    for eps in steps:
        out = student.numerical_grad(f, x, eps)
        seen.append({"out": out.detach() if isinstance(out, torch.Tensor) else out, "unchanged": torch.equal(x, before)})
    return seen
"""
)


@case("1.2", "numerical_grad of another function on a (2, 3, 2) input, eps 1e-4 and 0.3")
def _numerical_grad(ctx: Context) -> None:
    x = torch.randn(2, 3, 2, dtype=torch.float64, generator=generator(121))
    steps = (1e-4, 0.3)  # a large eps shows a missing or ignored eps argument
    seen = ctx.student.run(NUMERICAL_GRAD, x=x, steps=list(steps))
    for eps, observed in zip(steps, seen):
        require(observed["unchanged"] is True, "numerical_grad changed x")
        close(
            tensor(observed["out"], "numerical_grad"),
            ctx.reference.numerical_grad(_tanh_cos, x.clone(), eps),
            f"numerical_grad with eps={eps}",
            atol=1e-7,
            rtol=1e-6,
        )


VECTOR_BACKWARD = """
import torch
def procedure(weights, x, v):
    def f(x):
        return (weights @ torch.exp(x / 3)).reshape(2, 3) * x.sum()
    outs = []
    for _ in range(2):
        out = student.vector_backward(f, x, v)
        outs.append(out.detach() if isinstance(out, torch.Tensor) else out)
    return {"outs": outs, "untouched": not x.requires_grad and x.grad is None}
"""


@case("1.2", "vector_backward of a (5,) -> (2, 3) function, called twice")
def _vector_backward(ctx: Context) -> None:
    g = generator(122)
    weights = torch.randn(6, 5, dtype=torch.float64, generator=g)

    def f(x: torch.Tensor) -> torch.Tensor:
        return (weights @ torch.exp(x / 3)).reshape(2, 3) * x.sum()

    x = torch.randn(5, dtype=torch.float64, generator=g)
    v = torch.randn(2, 3, dtype=torch.float64, generator=g)
    expected = ctx.reference.vector_backward(f, x.clone(), v)
    seen = ctx.student.run(VECTOR_BACKWARD, weights=weights, x=x, v=v)
    for call, out in zip(("first", "second"), seen["outs"]):
        close(tensor(out, "vector_backward"), expected.detach(), f"vector_backward ({call} call)", atol=1e-10)
    require(seen["untouched"] is True, "vector_backward changed the caller's x")


# --------------------------------------------------------------------------------------- 1.3
def _params(seed: int) -> list[torch.Tensor]:
    g = generator(seed)
    return [torch.randn(4, 3, generator=g), torch.randn(3, generator=g), torch.randn(2, 2, generator=g)]


def _sgd_loss(data: torch.Tensor, params: list[torch.Tensor]) -> torch.Tensor:
    return (torch.tanh(data @ params[0] + params[1]) ** 2).sum()


SGD = """
import torch
def procedure(start, data, lr, steps):
    params = [p.clone().requires_grad_() for p in start]
    seen = []
    for _ in range(steps):
        (torch.tanh(data @ params[0] + params[1]) ** 2).sum().backward()
        pointers = [p.data_ptr() for p in params]
        student.sgd_step(params, lr)
        step = {"in_place": [p.data_ptr() for p in params] == pointers,
                "leaves": all(p.is_leaf and p.requires_grad for p in params),
                "values": [p.detach().clone() for p in params]}
        student.zero_grad(params)
        step["zeroed"] = all(p.grad is None or not p.grad.any() for p in params)
        seen.append(step)
    return seen
"""


@case("1.3", "sgd_step and zero_grad on three parameters (one without gradient), lr 0.037, four steps")
def _sgd(ctx: Context) -> None:
    start = _params(131)
    data = torch.randn(10, 4, generator=generator(132))
    theirs = [p.clone().requires_grad_() for p in start]
    seen = ctx.student.run(SGD, start=start, data=data, lr=0.037, steps=4)
    require(type(seen) is list and len(seen) == 4, "sgd_step could not be observed")
    for step, mine in enumerate(seen):
        _sgd_loss(data, theirs).backward()
        ctx.reference.sgd_step(theirs, 0.037)
        require(mine["in_place"] is True, "sgd_step did not update the parameters in place")
        require(mine["leaves"] is True, "after sgd_step the parameters are no longer leaves requiring grad")
        values = mine["values"]
        require(type(values) is list and len(values) == 3, "sgd_step could not be observed")
        for index, (a, b) in enumerate(zip(values, theirs)):
            close(a, b.detach(), f"parameter {index} after step {step + 1}")
        ctx.reference.zero_grad(theirs)
        require(mine["zeroed"] is True, "zero_grad left a gradient behind")


TO_NUMPY = """
import torch
def procedure(base):
    return student.to_numpy(base.requires_grad_() * 2)
"""


@case("1.3", "to_numpy of a float64 (3, 2) tensor that requires grad")
def _to_numpy(ctx: Context) -> None:
    base = torch.randn(3, 2, dtype=torch.float64, generator=generator(133))
    array = ctx.student.run(TO_NUMPY, base=base)
    require(type(array) is np.ndarray, f"to_numpy should return a NumPy array, got {kind_of(array)}")
    expected = ctx.reference.to_numpy(base.clone().requires_grad_() * 2)
    require(
        array.dtype == expected.dtype and array.shape == expected.shape,
        f"to_numpy returned a {array.dtype} array of shape {array.shape}",
    )
    require(np.array_equal(array, expected), "to_numpy returned other values than the tensor's")


# --------------------------------------------------------------------------------------- 1.4
VALUE_AND_GRADS = """
import torch
def procedure(name, args, square):
    leaves = [t.clone().requires_grad_() if isinstance(t, torch.Tensor) and t.is_floating_point() else t for t in args]
    out = getattr(student, name)(*leaves)
    if not isinstance(out, torch.Tensor):
        return {"out": out}
    (out.pow(2).sum() if square else out).backward()
    return {"out": out.detach(), "grads": [t.grad for t in leaves if isinstance(t, torch.Tensor) and t.requires_grad]}
"""


def _value_and_grads(function, args: list, square: bool) -> tuple[torch.Tensor, list]:
    leaves = [t.clone().requires_grad_() if isinstance(t, torch.Tensor) and t.is_floating_point() else t for t in args]
    out = function(*leaves)
    (out.pow(2).sum() if square else out).backward()
    return out.detach(), [t.grad for t in leaves if isinstance(t, torch.Tensor) and t.requires_grad]


@case("1.4", "linear_forward on a float64 (3, 2, 7) input, with and without bias, values and gradients")
def _linear_forward(ctx: Context) -> None:
    g = generator(141)
    for with_bias in (True, False):
        x = torch.randn(3, 2, 7, dtype=torch.float64, generator=g)
        weight = torch.randn(4, 7, dtype=torch.float64, generator=g)
        bias = torch.randn(4, dtype=torch.float64, generator=g) if with_bias else None
        seen = ctx.student.run(VALUE_AND_GRADS, name="linear_forward", args=[x, weight, bias], square=True)
        out, grads = _value_and_grads(ctx.reference.linear_forward, [x, weight, bias], square=True)
        what = "with bias" if with_bias else "without bias"
        close(tensor(seen["out"], "linear_forward"), out, f"linear_forward ({what})", atol=1e-10)
        mine = seen["grads"]
        require(type(mine) is list and len(mine) == len(grads), f"linear_forward's gradients ({what}) are missing")
        for name, a, b in zip(("input", "weight", "bias"), mine, grads):
            require(a is not None, f"no gradient reached linear_forward's {name} ({what})")
            close(a, b, f"the gradient of linear_forward's {name} ({what})", atol=1e-9)


@case("1.4", "cross_entropy_loss on (7, 5) logits of size up to 80, float32 and float64, values and gradients")
def _cross_entropy(ctx: Context) -> None:
    g = generator(142)
    for dtype in (torch.float32, torch.float64):
        logits = torch.randn(7, 5, dtype=dtype, generator=g) * 40
        logits[2] = torch.tensor([80.0, -80.0, 79.0, 0.0, -3.0], dtype=dtype)
        target = torch.randint(0, 5, (7,), generator=g)
        seen = ctx.student.run(VALUE_AND_GRADS, name="cross_entropy_loss", args=[logits, target], square=False)
        loss = tensor(seen["out"], "cross_entropy_loss")
        require(loss.dim() == 0, f"cross_entropy_loss should return a 0-d tensor, got shape {tuple(loss.shape)}")
        expected, grads = _value_and_grads(ctx.reference.cross_entropy_loss, [logits, target], square=False)
        tol = 1e-5 if dtype == torch.float32 else 1e-10
        close(loss, expected, f"cross_entropy_loss ({dtype})", atol=tol, rtol=tol)
        mine = seen["grads"]
        require(
            type(mine) is list and len(mine) == 1 and mine[0] is not None, f"no gradient reached the logits ({dtype})"
        )
        close(mine[0], grads[0], f"the gradient of cross_entropy_loss ({dtype})", atol=tol, rtol=tol)


# --------------------------------------------------------------------------------------- 1.5
MATMUL_ON = """
import torch
def procedure(a, b, devices):
    before = (a.clone(), b.clone())
    seen = []
    for device in devices:
        out = student.matmul_on(a, b, torch.device(device))
        seen.append({"out": out, "device": str(out.device) if isinstance(out, torch.Tensor) else "",
                     "unchanged": torch.equal(a, before[0]) and torch.equal(b, before[1])})
    return seen
"""


@case("1.5", "matmul_on of (33, 17) @ (17, 9), on the CPU and on the notebook's device")
def _matmul_on(ctx: Context) -> None:
    g = generator(151)
    a, b = torch.randn(33, 17, generator=g), torch.randn(17, 9, generator=g)
    devices = list(dict.fromkeys(["cpu", str(ctx.device)]))
    seen = ctx.student.run(MATMUL_ON, a=a, b=b, devices=devices)
    for device, observed in zip(devices, seen):
        out = tensor(observed["out"], "matmul_on")
        require(
            observed["device"] == "cpu",
            f"matmul_on({device}) returned a tensor on {observed['device']}, not on the CPU",
        )
        require(observed["unchanged"] is True, "matmul_on changed its inputs")
        close(out, ctx.reference.matmul_on(a, b, torch.device("cpu")), f"matmul_on on {device}", atol=5e-2, rtol=1e-2)

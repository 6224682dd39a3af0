"""The self-checks of question 1 pass the notebook's solutions and reject wrong answers and stubs.

The correct implementations are the notebook's own solution cells (executed here), so these
tests also cover the solutions and hold no second copy of the answers. The stubs are those
cells as the student handout has them (``tools/make_student.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from notebook_functions import load_functions
from utils import available_devices, checks
from utils.checks import q01

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "hw08-q01.ipynb"


def _load(student: bool) -> dict:
    return load_functions(NOTEBOOK, student, {"torch": torch, "np": np, "nn": nn, "F": F})


SOLUTION = _load(student=False)
STUB = _load(student=True)

ARGUMENTS = {
    "check_tensors": ["share_and_copy", "hwc_to_nchw", "flatten_images", "normalize_channels"],
    "check_autograd": ["numerical_grad", "vector_backward"],
    "check_stopping_gradients": ["sgd_step", "zero_grad", "to_numpy"],
    "check_linear_forward": ["linear_forward"],
    "check_cross_entropy_loss": ["cross_entropy_loss"],
    "check_matmul_on": ["matmul_on"],
}
PART = {
    "check_tensors": "1.1",
    "check_autograd": "1.2",
    "check_stopping_gradients": "1.3",
    "check_linear_forward": "1.4",
    "check_cross_entropy_loss": "1.4",
    "check_matmul_on": "1.5",
}
EXTRA = {"check_matmul_on": ["cpu"]}


def run_check(check: str, **replace):
    """Call ``checks.<check>`` with the notebook's solutions, some replaced by ``replace``."""
    functions = [replace.get(name, SOLUTION[name]) for name in ARGUMENTS[check]]
    return getattr(checks, check)(*functions, *EXTRA.get(check, []))


def expect_failure(check: str, match: str, **replace) -> None:
    with pytest.raises(AssertionError, match=rf"^✗ {re.escape(PART[check])}: (.|\n)*{match}"):
        run_check(check, **replace)


# ----------------------------------------------------------------------------- all checks
def test_every_check_is_exported():
    assert sorted(q01.__all__) == sorted(ARGUMENTS)
    for name in ARGUMENTS:
        assert getattr(checks, name) is getattr(q01, name)


@pytest.mark.parametrize("check", list(ARGUMENTS))
def test_solutions_pass_with_one_line(check, capsys):
    run_check(check)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"✓ {PART[check]} "), lines


@pytest.mark.parametrize(
    "check, function", [(check, function) for check, names in ARGUMENTS.items() for function in names]
)
def test_a_stub_names_its_part_and_function(check, function):
    with pytest.raises(NotImplementedError, match=rf"Q{re.escape(PART[check])} is not finished: {function}\(\)"):
        run_check(check, **{function: STUB[function]})


# ----------------------------------------------------------------------------- 1.1
def test_tensors_two_copies_are_not_shared():
    expect_failure(
        "check_tensors", "shared tensor did not change", share_and_copy=lambda a: (torch.tensor(a), torch.tensor(a))
    )


def test_tensors_two_views_are_not_a_copy():
    expect_failure(
        "check_tensors", "copied tensor changed", share_and_copy=lambda a: (torch.from_numpy(a), torch.from_numpy(a))
    )


def test_tensors_share_and_copy_must_return_a_pair():
    expect_failure("check_tensors", "pair of tensors", share_and_copy=lambda a: torch.from_numpy(a))


def test_tensors_reshape_does_not_move_channels():
    def reshaped(images):
        n, h, w, c = images.shape
        return images.reshape(n, c, h, w)

    expect_failure("check_tensors", "wrong places", hwc_to_nchw=reshaped)


def test_tensors_wrong_axis_order():
    expect_failure("check_tensors", r"expected \(N, C, H, W\)", hwc_to_nchw=lambda images: images.permute(0, 3, 2, 1))


def test_tensors_nchw_must_not_copy():
    expect_failure(
        "check_tensors", "copied the data", hwc_to_nchw=lambda images: images.permute(0, 3, 1, 2).contiguous()
    )


def test_tensors_view_fails_on_non_contiguous_input():
    expect_failure("check_tensors", "non-contiguous", flatten_images=lambda images: images.view(images.shape[0], -1))


def test_tensors_flatten_to_wrong_shape():
    expect_failure("check_tensors", "returned shape", flatten_images=lambda images: images.reshape(-1))


def test_tensors_mean_must_broadcast_over_channels():
    expect_failure("check_tensors", "raised RuntimeError", normalize_channels=lambda x, m, s: (x - m) / s)


def test_tensors_normalize_in_place_is_rejected():
    expect_failure(
        "check_tensors",
        "in place",
        normalize_channels=lambda x, m, s: x.sub_(m.view(1, -1, 1, 1)).div_(s.view(1, -1, 1, 1)),
    )


def test_tensors_normalize_with_swapped_statistics():
    expect_failure(
        "check_tensors",
        "differs from the reference",
        normalize_channels=lambda x, m, s: (x - s[:, None, None]) / m[:, None, None],
    )


# ----------------------------------------------------------------------------- 1.2
def forward_difference(f, x, eps=1e-3):
    grad = torch.zeros(x.shape, dtype=x.dtype)
    for i in range(x.numel()):
        step = torch.zeros(x.shape, dtype=x.dtype)
        step.view(-1)[i] = eps
        grad.view(-1)[i] = (f(x + step) - f(x)) / eps
    return grad


def test_autograd_one_sided_difference_is_too_coarse():
    expect_failure("check_autograd", "central difference", numerical_grad=forward_difference)


def test_autograd_numerical_grad_must_not_change_x():
    def perturbing(f, x, eps=1e-3):
        grad = torch.zeros_like(x)
        flat = x.view(-1)
        for i in range(x.numel()):
            flat[i] += eps
            up = f(x)
            flat[i] -= 2 * eps
            grad.view(-1)[i] = (up - f(x)) / (2 * eps)  # forgets to put x[i] back
        return grad

    expect_failure("check_autograd", "changed x", numerical_grad=perturbing)


def test_autograd_numerical_grad_wrong_shape():
    expect_failure(
        "check_autograd",
        "shaped like x",
        numerical_grad=lambda f, x, eps=1e-3: SOLUTION["numerical_grad"](f, x, eps).view(-1),
    )


def test_autograd_vector_backward_must_use_v():
    def ignores_v(f, x, v):
        leaf = x.clone().requires_grad_()
        f(leaf).sum().backward()
        return leaf.grad

    expect_failure("check_autograd", "v\\^T J", vector_backward=ignores_v)


def test_autograd_vector_backward_must_not_accumulate():
    def reuses_x(f, x, v):
        x.requires_grad_()
        f(x).backward(gradient=v)
        return x.grad.clone()

    expect_failure("check_autograd", "accumulate", vector_backward=reuses_x)


def test_autograd_vector_backward_crash_becomes_a_hint():
    def no_gradient(f, x, v):
        leaf = x.clone().requires_grad_()
        f(leaf).backward()  # non-scalar output without gradient=
        return leaf.grad

    expect_failure("check_autograd", "raised RuntimeError: grad can be implicitly created", vector_backward=no_gradient)


# ----------------------------------------------------------------------------- 1.3
def test_stopping_gradients_step_needs_no_grad():
    def tracked(params, lr):
        for p in params:
            if p.grad is not None:
                p.sub_(lr * p.grad)

    expect_failure("check_stopping_gradients", "torch.no_grad", sgd_step=tracked)


def test_stopping_gradients_rebinding_changes_nothing():
    def rebinds(params, lr):
        with torch.no_grad():
            for p in params:
                if p.grad is not None:
                    p = p - lr * p.grad

    expect_failure("check_stopping_gradients", "rebinds", sgd_step=rebinds)


def test_stopping_gradients_new_tensors_are_not_in_place():
    def replaces(params, lr):
        with torch.no_grad():
            for i, p in enumerate(params):
                if p.grad is not None:
                    params[i] = (p - lr * p.grad).requires_grad_()

    expect_failure("check_stopping_gradients", "in place", sgd_step=replaces)


def test_stopping_gradients_missing_grad_is_skipped():
    def every_parameter(params, lr):
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad

    expect_failure("check_stopping_gradients", "None", sgd_step=every_parameter)


def test_stopping_gradients_wrong_learning_rate_use():
    def doubled(params, lr):
        with torch.no_grad():
            for p in params:
                if p.grad is not None:
                    p -= 2 * lr * p.grad

    expect_failure("check_stopping_gradients", "optim.SGD", sgd_step=doubled)


def test_stopping_gradients_zero_grad_must_clear():
    expect_failure("check_stopping_gradients", "None or all zeros", zero_grad=lambda params: None)


def test_stopping_gradients_numpy_needs_detach():
    expect_failure("check_stopping_gradients", "detach", to_numpy=lambda t: t.numpy())


def test_stopping_gradients_numpy_must_return_an_array():
    expect_failure("check_stopping_gradients", "numpy.ndarray", to_numpy=lambda t: t.detach().tolist())


# ----------------------------------------------------------------------------- 1.4
def test_linear_guide_version_passes(capsys):
    def guide(input, weight, bias=None):
        output = input.matmul(weight.t())
        if bias is not None:
            output += bias
        return output

    checks.check_linear_forward(guide)
    assert capsys.readouterr().out.startswith("✓ 1.4 ")


def test_linear_without_transpose_gets_a_hint():
    expect_failure(
        "check_linear_forward", "transpose", linear_forward=lambda x, w, b=None: x @ w + (0 if b is None else b)
    )


def test_linear_forgetting_the_bias():
    expect_failure("check_linear_forward", "differs from the reference", linear_forward=lambda x, w, b=None: x @ w.t())


def test_linear_must_keep_the_graph():
    expect_failure(
        "check_linear_forward",
        "no gradient reached",
        linear_forward=lambda x, w, b=None: SOLUTION["linear_forward"](x.detach(), w, b),
    )


def test_linear_calling_f_linear_is_refused_and_restored():
    original = F.linear
    expect_failure("check_linear_forward", "not call F.linear", linear_forward=lambda x, w, b=None: F.linear(x, w, b))
    expect_failure("check_linear_forward", "not call F.linear", linear_forward=lambda x, w, b=None: nn.Linear(5, 3)(x))
    assert F.linear is original


def naive_cross_entropy(logits, target):
    probabilities = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
    return -probabilities[torch.arange(len(target)), target].log().mean()


def test_cross_entropy_naive_softmax_overflows():
    expect_failure("check_cross_entropy_loss", "log-sum-exp", cross_entropy_loss=naive_cross_entropy)


def test_cross_entropy_sum_is_not_mean():
    expect_failure(
        "check_cross_entropy_loss",
        "mean over the batch",
        cross_entropy_loss=lambda z, t: SOLUTION["cross_entropy_loss"](z, t) * len(t),
    )


def test_cross_entropy_must_return_one_number():
    expect_failure(
        "check_cross_entropy_loss",
        "0-d tensor",
        cross_entropy_loss=lambda z, t: SOLUTION["cross_entropy_loss"](z, t).expand(len(t)),
    )


@pytest.mark.parametrize(
    "shortcut",
    [
        lambda z, t: F.cross_entropy(z, t),
        lambda z, t: nn.CrossEntropyLoss()(z, t),
        lambda z, t: F.nll_loss(z - z.exp().sum(1, keepdim=True).log(), t),
        lambda z, t: (torch.logsumexp(z, 1) - z[torch.arange(len(t)), t]).mean(),
        lambda z, t: -z.log_softmax(1)[torch.arange(len(t)), t].mean(),
    ],
    ids=["F.cross_entropy", "nn.CrossEntropyLoss", "F.nll_loss", "torch.logsumexp", "Tensor.log_softmax"],
)
def test_cross_entropy_library_shortcuts_are_refused_and_restored(shortcut):
    expect_failure("check_cross_entropy_loss", "log-sum-exp trick", cross_entropy_loss=shortcut)
    logits = torch.tensor([[1.0, 2.0]])
    assert torch.allclose(logits.log_softmax(1), torch.log_softmax(logits, 1))
    assert torch.isfinite(F.cross_entropy(logits, torch.tensor([0])))
    assert "log_softmax" not in torch.Tensor.__dict__ or torch.Tensor.__dict__["log_softmax"].__name__ != "blocked"


# ----------------------------------------------------------------------------- 1.5
@pytest.mark.parametrize("device", available_devices())
def test_matmul_on_every_device_here(device, capsys):
    checks.check_matmul_on(SOLUTION["matmul_on"], device)
    assert capsys.readouterr().out.startswith(f"✓ 1.5 matmul_on on {device} ")


def test_matmul_on_must_return_to_the_cpu():
    expect_failure("check_matmul_on", "back to the CPU", matmul_on=lambda a, b, device: (a @ b).to("meta"))


def test_matmul_on_elementwise_product_gets_a_hint():
    expect_failure(
        "check_matmul_on",
        "raised RuntimeError(.|\\n)*matrix product",
        matmul_on=lambda a, b, device: a.to(device) * b.to(device),
    )


def test_matmul_on_wrong_order():
    expect_failure(
        "check_matmul_on", "returned shape", matmul_on=lambda a, b, device: (b.t().to(device) @ a.t().to(device)).cpu()
    )


def test_matmul_on_must_not_change_inputs():
    def scales(a, b, device):
        a.mul_(2)
        return (a.to(device) @ b.to(device)).cpu() / 2

    expect_failure("check_matmul_on", "changed its inputs", matmul_on=scales)

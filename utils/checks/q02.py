"""Self-checks for question 2 (`notebooks/hw08-q02.ipynb`): an MLP for Fashion-MNIST.

Every check runs the student's functions on small inputs and compares them with PyTorch's
own operations or with properties (normalised pixels have mean 0 and std 1, a parameter
count, equal outputs with shared weights, a falling loss, eval mode and no gradients in
evaluation). None of them holds the answer.
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from ._core import call_student, expect, expect_close, passed

__all__ = [
    "check_confusion_counts",
    "check_data",
    "check_experiment_setup",
    "check_final_setup",
    "check_loss",
    "check_mlp",
    "check_training_loop",
]

#: Parameters of a 784-256-128-10 MLP: (784 + 1) * 256 + (256 + 1) * 128 + (128 + 1) * 10.
MLP_784_256_128_10_PARAMETERS = 235_146


def _own_rng(check: Callable) -> Callable:
    """Run ``check`` on a fork of torch's random state: a check never shifts the notebook's random numbers."""

    @functools.wraps(check)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with torch.random.fork_rng():
            return check(*args, **kwargs)

    return wrapper


def _number(value: Any, part: str, what: str) -> float:
    """``value`` as a Python float; a hint when it is not a plain number or a 0-d tensor."""
    if isinstance(value, torch.Tensor):
        expect(value.numel() == 1, part, f"{what} should be one number, got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    expect(
        isinstance(value, numbers.Real) and not isinstance(value, bool),
        part,
        f"{what} should be a number, got {type(value).__name__}",
    )
    return float(value)


def _pair(result: Any, part: str, name: str) -> tuple[float, float]:
    """A ``(loss, accuracy)`` result as two floats, with hints on the shape of the return value."""
    expect(
        isinstance(result, (tuple, list)) and len(result) == 2,
        part,
        f"{name}() should return a pair (mean loss, accuracy), got {type(result).__name__}"
        + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""),
    )
    loss = _number(result[0], part, f"the loss returned by {name}()")
    acc = _number(result[1], part, f"the accuracy returned by {name}()")
    expect(math.isfinite(loss), part, f"{name}() returned a non-finite loss ({loss})")
    expect(
        0.0 <= acc <= 1.0,
        part,
        f"{name}() returned accuracy {acc:g}: return a fraction in [0, 1] (correct / number of samples)",
    )
    return loss, acc


def _linears(model: nn.Module) -> list[nn.Linear]:
    return [module for module in model.modules() if isinstance(module, nn.Linear)]


def _expected_parameters(sizes: list[int]) -> int:
    return sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))


def _count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------------------------
# 2.1 Data
# --------------------------------------------------------------------------------------------


def check_data(pixel_mean_std: Callable, make_transform: Callable) -> None:
    """2.1: ``pixel_mean_std(uint8 images)`` -> ``(mean, std)`` on the [0, 1] scale, and
    ``make_transform(mean, std)`` -> ToTensor + Normalize.

    The statistics are checked by their defining property: pixels normalised with them
    have mean 0 and standard deviation 1. The transform is compared with the formula
    ``(pixel / 255 - mean) / std`` on a PIL image.
    """
    part = "2.1"
    generator = torch.Generator().manual_seed(21)
    images = torch.randint(0, 256, (300, 28, 28), dtype=torch.uint8, generator=generator)
    images[:100] //= 4  # a skewed distribution, so that a wrong formula shows
    original = images.clone()
    result = call_student(part, pixel_mean_std, images)
    expect(
        isinstance(result, (tuple, list)) and len(result) == 2,
        part,
        f"pixel_mean_std() should return a pair (mean, std), got {type(result).__name__}",
    )
    mean = _number(result[0], part, "the mean")
    std = _number(result[1], part, "the std")
    expect(torch.equal(images, original), part, "pixel_mean_std() changed the images it was given: work on a copy")
    expect(
        0.0 <= mean <= 1.0 and 0.0 < std <= 1.0,
        part,
        f"got mean {mean:.4g} and std {std:.4g}: compute them on pixels scaled to [0, 1] "
        "(divide by 255, as ToTensor does), not on the raw 0-255 values",
    )
    scaled = images.double() / 255
    normalised = (scaled - mean) / std
    expect(
        abs(normalised.mean().item()) < 1e-3,
        part,
        f"pixels normalised with your mean have mean {normalised.mean().item():.4f}, not 0: "
        "take the mean over all pixels of all images",
    )
    expect(
        abs(normalised.std().item() - 1) < 1e-3,
        part,
        f"pixels normalised with your std have std {normalised.std().item():.4f}, not 1: take the "
        "standard deviation over all pixels of all images at once (not an average of per-image stds)",
    )

    t_mean, t_std = 0.3, 0.4  # not Fashion-MNIST's, so hard-coded numbers show
    transform = call_student(part, make_transform, t_mean, t_std)
    expect(callable(transform), part, "make_transform() should return a callable transform (e.g. transforms.Compose)")
    pixels = np.asarray(images[0].numpy(), dtype=np.uint8)
    image = Image.fromarray(pixels)  # a 2-D uint8 array gives a grayscale ("L") image
    out = transform(image)
    expect(
        isinstance(out, torch.Tensor),
        part,
        f"the transform returned {type(out).__name__}: start it with transforms.ToTensor()",
    )
    expect(
        tuple(out.shape) == (1, 28, 28) and out.dtype == torch.float32,
        part,
        f"the transform returned a {out.dtype} tensor of shape {tuple(out.shape)}, expected float32 (1, 28, 28)",
    )
    expected = ((torch.from_numpy(pixels.copy()).float() / 255 - t_mean) / t_std).unsqueeze(0)
    if out.min() >= 0 and out.max() <= 1:
        raise AssertionError(
            f"✗ {part}: the transform's values lie in [0, 1]: add transforms.Normalize((mean,), (std,)) "
            "after ToTensor, with the mean and std passed to make_transform"
        )
    expect_close(out, expected, part, "make_transform(mean, std)(image)", atol=1e-5)
    passed(part, "pixel_mean_std and make_transform: normalised pixels have mean 0 and std 1")


# --------------------------------------------------------------------------------------------
# 2.2 Model
# --------------------------------------------------------------------------------------------


def _build(part: str, factory: Callable, *args: Any, **kwargs: Any) -> nn.Module:
    name = getattr(factory, "__name__", "the factory")
    try:
        model = call_student(part, factory, *args, **kwargs)
    except TypeError as error:
        call = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
        raise AssertionError(
            f"✗ {part}: {name}({call}) failed: {error}. Keep the signature given in the notebook"
        ) from None
    expect(isinstance(model, nn.Module), part, f"{name}(...) should give an nn.Module, got {type(model).__name__}")
    return model


def _forward(part: str, model: nn.Module, x: torch.Tensor, what: str) -> torch.Tensor:
    try:
        with torch.no_grad():
            return model(x)
    except NotImplementedError:
        raise NotImplementedError(
            f"Q{part} is not finished: {what}.forward() still raises NotImplementedError. "
            "Write your solution in its cell, run that cell, then rerun this check."
        ) from None
    except RuntimeError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise AssertionError(
            f"✗ {part}: {what} failed on input of shape {tuple(x.shape)} ({first}). "
            "Flatten each image first: x.view(x.size(0), -1) or nn.Flatten()"
        ) from None


@_own_rng
def check_mlp(MLP: Callable, make_sequential: Callable) -> None:
    """2.2: ``MLP(input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False)`` built with
    ``nn.ModuleList`` and an equivalent ``make_sequential(input_size, hidden_sizes, output_size)``."""
    part = "2.2"
    torch.manual_seed(22)
    model = _build(part, MLP, 784, [256, 128], 10)
    lists = [m for m in model.modules() if isinstance(m, nn.ModuleList)]
    expect(
        bool(lists),
        part,
        "MLP should keep its layers in an nn.ModuleList built in a loop over the sizes "
        "(a plain Python list hides them from .parameters() and .to(device))",
    )
    listed = sum(1 for lst in lists for m in lst.modules() if isinstance(m, nn.Linear))
    expect(
        listed == 3,
        part,
        f"MLP(784, [256, 128], 10) has {listed} nn.Linear layers inside its nn.ModuleList, expected 3",
    )
    count = _count(model)
    expect(
        count == MLP_784_256_128_10_PARAMETERS,
        part,
        f"MLP(784, [256, 128], 10) has {count:,} parameters, expected {MLP_784_256_128_10_PARAMETERS:,} "
        "= (784+1)*256 + (256+1)*128 + (128+1)*10 (each nn.Linear holds weights and a bias)",
    )
    x = torch.randn(64, 1, 28, 28)
    model.eval()
    out = _forward(part, model, x, "MLP")
    expect(
        isinstance(out, torch.Tensor) and tuple(out.shape) == (64, 10),
        part,
        f"MLP(784, [256, 128], 10) maps a (64, 1, 28, 28) batch to "
        f"{tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__}, expected (64, 10)",
    )
    expect(
        bool((out < 0).any()),
        part,
        "all outputs are >= 0: put no activation after the last nn.Linear (the outputs are raw logits)",
    )
    relus = sum(1 for m in model.modules() if isinstance(m, nn.ReLU))
    expect(relus == 2, part, f"MLP(784, [256, 128], 10) has {relus} nn.ReLU modules, expected one per hidden layer (2)")

    # Built programmatically: any depth works.
    small = _build(part, MLP, 20, [16, 8, 4], 3)
    expect(
        _count(small) == _expected_parameters([20, 16, 8, 4, 3]) and len(_linears(small)) == 4,
        part,
        f"MLP(20, [16, 8, 4], 3) has {len(_linears(small))} nn.Linear layers and {_count(small)} parameters, "
        f"expected 4 layers and {_expected_parameters([20, 16, 8, 4, 3])}: build the layers in a loop over hidden_sizes",
    )
    small_out = _forward(part, small.eval(), torch.randn(5, 20), "MLP(20, [16, 8, 4], 3)")
    expect(
        tuple(small_out.shape) == (5, 3),
        part,
        f"MLP(20, [16, 8, 4], 3) gave shape {tuple(small_out.shape)}, expected (5, 3)",
    )

    # Dropout: one nn.Dropout per hidden layer, active in train mode only.
    dropped = _build(part, MLP, 784, [256, 128], 10, dropout=0.5)
    drops = [m for m in dropped.modules() if isinstance(m, nn.Dropout)]
    expect(
        len(drops) == 2 and all(abs(m.p - 0.5) < 1e-12 for m in drops),
        part,
        f"MLP(..., dropout=0.5) has {len(drops)} nn.Dropout modules, expected one nn.Dropout(0.5) after each hidden activation",
    )
    expect(_count(dropped) == MLP_784_256_128_10_PARAMETERS, part, "dropout must not change the number of parameters")
    dropped.train()
    first, second = _forward(part, dropped, x, "MLP"), _forward(part, dropped, x, "MLP")
    expect(not torch.equal(first, second), part, "with dropout=0.5 in train mode two forward passes should differ")
    dropped.eval()
    expect(
        torch.equal(_forward(part, dropped, x, "MLP"), _forward(part, dropped, x, "MLP")),
        part,
        "with dropout in eval mode the outputs should be deterministic",
    )
    plain = _build(part, MLP, 784, [256, 128], 10).train()
    expect(
        torch.equal(_forward(part, plain, x, "MLP"), _forward(part, plain, x, "MLP")),
        part,
        "MLP(784, [256, 128], 10) without dropout gives different outputs on the same input: dropout should default to 0",
    )
    expect(
        not any(isinstance(m, nn.BatchNorm1d) for m in plain.modules()),
        part,
        "MLP(784, [256, 128], 10) has nn.BatchNorm1d layers: batch_norm should default to False",
    )

    # Batch norm: Linear -> BatchNorm1d -> ReLU in each hidden block.
    normed = _build(part, MLP, 784, [256, 128], 10, batch_norm=True)
    norms = [m for m in normed.modules() if isinstance(m, nn.BatchNorm1d)]
    expect(
        [m.num_features for m in norms] == [256, 128],
        part,
        f"MLP(..., batch_norm=True) has nn.BatchNorm1d layers for {[m.num_features for m in norms]} features, "
        "expected one nn.BatchNorm1d(size) after each hidden nn.Linear: [256, 128]",
    )
    with torch.no_grad():  # running statistics and affine parameters that make the order visible
        for norm in norms:
            norm.running_mean.normal_(0, 0.5)
            norm.running_var.uniform_(0.5, 2.0)
            norm.weight.uniform_(0.5, 1.5).mul_(torch.where(torch.rand(norm.num_features) < 0.5, -1.0, 1.0))
            norm.bias.normal_(0, 0.5)
    linears = _linears(normed)
    canonical = nn.Sequential(
        nn.Flatten(), linears[0], norms[0], nn.ReLU(), linears[1], norms[1], nn.ReLU(), linears[2]
    ).eval()
    normed.eval()
    with torch.no_grad():
        expected_normed = canonical(x)
    expect_close(
        _forward(part, normed, x, "MLP"),
        expected_normed,
        part,
        "MLP(..., batch_norm=True) in eval mode (hidden block: Linear -> BatchNorm1d -> ReLU)",
        atol=1e-4,
    )

    # nn.Sequential: the same network, so copied weights give the same outputs.
    sequential = _build(part, make_sequential, 784, [256, 128], 10)
    expect(
        isinstance(sequential, nn.Sequential),
        part,
        f"make_sequential() should return an nn.Sequential, got {type(sequential).__name__}",
    )
    seq_count = _count(sequential)
    expect(
        seq_count == MLP_784_256_128_10_PARAMETERS,
        part,
        f"make_sequential(784, [256, 128], 10) has {seq_count:,} parameters, expected {MLP_784_256_128_10_PARAMETERS:,}",
    )
    source, target = _linears(model), _linears(sequential)
    expect(
        [tuple(m.weight.shape) for m in source] == [tuple(m.weight.shape) for m in target],
        part,
        "the nn.Linear layers of make_sequential() and MLP differ in order or shape",
    )
    with torch.no_grad():
        for a, b in zip(source, target):
            b.weight.copy_(a.weight)
            b.bias.copy_(a.bias)
    sequential.eval()
    seq_out = _forward(part, sequential, x, "make_sequential()")
    expect(
        tuple(seq_out.shape) == (64, 10),
        part,
        f"make_sequential(784, [256, 128], 10) maps (64, 1, 28, 28) to {tuple(seq_out.shape)}: start it with nn.Flatten()",
    )
    expect_close(seq_out, out, part, "make_sequential() with MLP's weights copied in", atol=1e-5)
    small_seq = _build(part, make_sequential, 20, [16, 8, 4], 3)
    expect(
        _count(small_seq) == _expected_parameters([20, 16, 8, 4, 3]),
        part,
        "make_sequential(20, [16, 8, 4], 3) has the wrong number of parameters: build the layers from hidden_sizes",
    )
    passed(
        part,
        f"MLP (nn.ModuleList) and nn.Sequential: {MLP_784_256_128_10_PARAMETERS:,} parameters, "
        "(N, 10) logits, same outputs with shared weights",
    )


# --------------------------------------------------------------------------------------------
# 2.3 Loss
# --------------------------------------------------------------------------------------------


def _looks_like_probabilities(out: torch.Tensor) -> bool:
    return bool((out >= 0).all()) and torch.allclose(out.sum(dim=1), torch.ones(len(out)), atol=1e-4)


@_own_rng
def check_loss(make_criterion: Callable, predict_proba: Callable, MLP: Callable) -> None:
    """2.3: the criterion is cross-entropy on raw logits, ``MLP.forward`` returns logits (no
    softmax), and ``predict_proba`` turns logits into probabilities in eval mode without gradients."""
    part = "2.3"
    torch.manual_seed(23)
    criterion = call_student(part, make_criterion)
    expect(callable(criterion), part, f"make_criterion() should return a loss module, got {type(criterion).__name__}")
    logits = torch.randn(16, 10) * 3
    labels = torch.randint(0, 10, (16,))
    try:
        value = criterion(logits, labels)
    except (RuntimeError, ValueError) as error:
        raise AssertionError(
            f"✗ {part}: the criterion failed on (16, 10) logits and (16,) class indices ({error}): "
            "multi-class classification takes nn.CrossEntropyLoss"
        ) from None
    expect(
        isinstance(value, torch.Tensor) and value.ndim == 0,
        part,
        "the criterion should return the mean loss, a 0-d tensor",
    )
    if torch.allclose(value, F.nll_loss(logits, labels), atol=1e-5):
        raise AssertionError(
            f"✗ {part}: that is NLLLoss, which expects log-probabilities: use nn.CrossEntropyLoss, "
            "which applies log_softmax to the raw logits itself"
        )
    expect_close(value, F.cross_entropy(logits, labels), part, "the criterion on raw logits", atol=1e-5)

    model = _build(part, MLP, 784, [64], 10).eval()
    out = _forward(part, model, torch.randn(32, 1, 28, 28), "MLP")
    expect(
        not _looks_like_probabilities(out),
        part,
        "MLP.forward returns probabilities (rows sum to 1): remove the softmax. nn.CrossEntropyLoss "
        "applies log_softmax itself; a softmax before it squashes the logits and slows learning",
    )

    # predict_proba on a dropout model: eval mode, no gradients, softmax over classes.
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 10))
    x = torch.randn(12, 1, 28, 28)
    net.train()
    probs = call_student(part, predict_proba, net, x)
    expect(isinstance(probs, torch.Tensor), part, f"predict_proba() should return a tensor, got {type(probs).__name__}")
    expect(
        tuple(probs.shape) == (12, 10), part, f"predict_proba() returned shape {tuple(probs.shape)}, expected (12, 10)"
    )
    expect(not probs.requires_grad, part, "predict_proba() tracks gradients: wrap the forward pass in torch.no_grad()")
    expect(
        torch.allclose(probs.sum(dim=1), torch.ones(12), atol=1e-5) and bool((probs >= 0).all()),
        part,
        "the rows of predict_proba() do not sum to 1: apply torch.softmax(logits, dim=1) (over classes)",
    )
    net.eval()
    with torch.no_grad():
        reference = torch.softmax(net(x), dim=1)
    expect(
        torch.allclose(probs, reference, atol=1e-5),
        part,
        "predict_proba() differs from softmax of the eval-mode logits: call model.eval() first so dropout is off",
    )
    passed(part, "cross-entropy on raw logits; MLP returns logits; predict_proba gives probabilities in eval mode")


# --------------------------------------------------------------------------------------------
# 2.4 Training loop
# --------------------------------------------------------------------------------------------


class _Spy:
    """Records, per forward pass, train/eval mode and grad mode; per backward, leftover gradients."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self.forwards: list[tuple[bool, bool]] = []
        self.stale_backwards = 0
        self.backwards = 0
        model.register_forward_pre_hook(self._on_forward)
        model.register_full_backward_pre_hook(self._on_backward)

    def _on_forward(self, module: nn.Module, args: Any) -> None:
        self.forwards.append((module.training, torch.is_grad_enabled()))

    def _on_backward(self, module: nn.Module, grad_output: Any) -> None:
        # Runs before any parameter gradient of this backward pass is accumulated.
        self.backwards += 1
        if any(p.grad is not None and bool(p.grad.any()) for p in module.parameters()):
            self.stale_backwards += 1

    def reset(self) -> None:
        self.forwards.clear()
        self.stale_backwards = 0
        self.backwards = 0


def _subset(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``n`` Fashion-MNIST test images, normalised, as tensors."""
    from ..data import as_tensors, fashion_mnist

    images, labels = as_tensors(fashion_mnist(False))
    return images[:n].clone(), labels[:n].clone()


def check_training_loop(train_one_epoch: Callable, evaluate: Callable) -> None:
    """2.4: the student's ``train_one_epoch`` and ``evaluate`` on 1,000 real images with a dropout model.

    Verifies: evaluation uses eval mode and no gradients, is deterministic and returns the
    mean loss per sample and the accuracy; training uses train mode, zeroes gradients before
    each backward pass, steps the optimizer, and makes the loss fall.
    """
    part = "2.4"
    from ..data import TensorBatchLoader

    images, labels = _subset(1000)
    device = torch.device("cpu")
    with torch.random.fork_rng():
        torch.manual_seed(24)
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10))
        spy = _Spy(model)
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
        # 1000 = 7 * 128 + 104 and 3 * 300 + 100: the last batch is smaller.
        train_loader = TensorBatchLoader(images, labels, batch_size=128, shuffle=True)
        eval_loader = TensorBatchLoader(images, labels, batch_size=300)

        # evaluate: train mode is on, as after a training epoch; evaluate must switch it off.
        model.train()
        before = _pair(call_student(part, evaluate, model, eval_loader, criterion, device), part, "evaluate")
        expect(len(spy.forwards) > 0, part, "evaluate() never called the model")
        expect(
            not any(training for training, _ in spy.forwards),
            part,
            "evaluate() ran the model in training mode: call model.eval() first (dropout and batch norm "
            "behave differently in evaluation)",
        )
        expect(
            not any(grad for _, grad in spy.forwards),
            part,
            "evaluate() tracked gradients: wrap the loop in `with torch.no_grad():` (faster, less memory)",
        )
        again = _pair(evaluate(model, eval_loader, criterion, device), part, "evaluate")
        expect(
            before == again,
            part,
            f"evaluate() gave {before} and then {again} on the same model: it should be deterministic",
        )
        with torch.no_grad():
            outputs = model(images)
            ref_loss = F.cross_entropy(outputs, labels).item()
            ref_acc = (outputs.argmax(dim=1) == labels).float().mean().item()
            batch_mean = sum(F.cross_entropy(model(x), y).item() for x, y in eval_loader) / len(eval_loader)
        expect(
            abs(before[1] - ref_acc) < 1e-6,
            part,
            f"evaluate() returned accuracy {before[1]:.4f}, expected {ref_acc:.4f} (correct predictions / samples)",
        )
        if abs(before[0] - ref_loss) > 1e-4 * max(1.0, ref_loss):
            if abs(before[0] - batch_mean) < 1e-5:
                raise AssertionError(
                    f"✗ {part}: evaluate() returned the mean of the batch losses ({before[0]:.4f}); the last batch "
                    f"is smaller, so weight each batch's loss by its size: sum loss.item() * len(labels), "
                    f"divide by the number of samples (expected {ref_loss:.4f})"
                )
            raise AssertionError(
                f"✗ {part}: evaluate() returned mean loss {before[0]:.4f}, expected {ref_loss:.4f} "
                "(the mean cross-entropy per sample)"
            )

        # train_one_epoch: start in eval mode, as after evaluate; it must switch training mode on.
        model.eval()
        spy.reset()
        start = [p.detach().clone() for p in model.parameters()]
        losses = []
        for epoch in range(3):
            result = call_student(part, train_one_epoch, model, train_loader, criterion, optimizer, device)
            losses.append(_pair(result, part, "train_one_epoch")[0])
            if epoch == 0:
                expect(
                    len(spy.forwards) == len(train_loader),
                    part,
                    f"train_one_epoch() ran {len(spy.forwards)} forward passes over a loader of "
                    f"{len(train_loader)} batches: one per batch",
                )
                expect(
                    all(training for training, _ in spy.forwards),
                    part,
                    "train_one_epoch() ran the model in eval mode: call model.train() at its start "
                    "(evaluate() left the model in eval mode, so dropout stayed off)",
                )
                expect(
                    spy.backwards == len(train_loader),
                    part,
                    f"train_one_epoch() called loss.backward() {spy.backwards} times for {len(train_loader)} batches",
                )
                expect(
                    spy.stale_backwards == 0,
                    part,
                    "gradients from the previous batch were still there at loss.backward(): call "
                    "optimizer.zero_grad() for every batch (backward() adds to .grad)",
                )
                moved = any(not torch.equal(a, p.detach()) for a, p in zip(start, model.parameters()))
                expect(moved, part, "the parameters did not change: call optimizer.step() after loss.backward()")
        expect(
            spy.stale_backwards == 0,
            part,
            "gradients from the previous batch were still there at loss.backward(): call optimizer.zero_grad() for every batch",
        )
        expect(
            losses[-1] < losses[0],
            part,
            f"the training loss did not fall over 3 epochs ({', '.join(f'{v:.3f}' for v in losses)})",
        )
        after = _pair(evaluate(model, eval_loader, criterion, device), part, "evaluate")
        expect(
            after[0] < before[0] - 0.3,
            part,
            f"after 3 epochs the evaluation loss went from {before[0]:.3f} to only {after[0]:.3f}",
        )
    passed(
        part,
        f"train_one_epoch and evaluate: loss {before[0]:.2f} -> {after[0]:.2f} in 3 epochs; "
        "eval mode, no gradients and deterministic in evaluation",
    )


# --------------------------------------------------------------------------------------------
# 2.5 Experiments
# --------------------------------------------------------------------------------------------


def _probe_model() -> nn.Sequential:
    return nn.Sequential(nn.Linear(400, 300), nn.ReLU(), nn.Linear(300, 200))


@_own_rng
def check_experiment_setup(make_optimizer: Callable, apply_init: Callable, make_scheduler: Callable) -> None:
    """2.5: ``make_optimizer(model, "sgd" | "adam")``, ``apply_init(model, "default" | "kaiming")``
    and ``make_scheduler(optimizer, "none" | "step" | "plateau", epochs)``."""
    part = "2.5"
    torch.manual_seed(25)
    model = _probe_model()
    ids = {id(p) for p in model.parameters()}

    for name in ("sgd", "adam"):
        optimizer = call_student(part, make_optimizer, model, name)
        expect(
            isinstance(optimizer, torch.optim.Optimizer),
            part,
            f"make_optimizer(model, {name!r}) should return a torch.optim optimizer, got {type(optimizer).__name__}",
        )
        held = {id(p) for group in optimizer.param_groups for p in group["params"]}
        expect(held == ids, part, f"the {name!r} optimizer should hold exactly model.parameters()")
        lr = optimizer.param_groups[0]["lr"]
        expect(0 < lr <= 1, part, f"the {name!r} optimizer has learning rate {lr}")
        if name == "sgd":
            expect(
                isinstance(optimizer, torch.optim.SGD),
                part,
                f"'sgd' should give torch.optim.SGD, got {type(optimizer).__name__}",
            )
            expect(
                optimizer.param_groups[0].get("momentum", 0) > 0,
                part,
                "'sgd' should use momentum (e.g. momentum=0.9): plain SGD is much slower here",
            )
        else:
            expect(
                isinstance(optimizer, (torch.optim.Adam, torch.optim.AdamW)),
                part,
                f"'adam' should give torch.optim.Adam, got {type(optimizer).__name__}",
            )

    # Initialisation: "default" keeps PyTorch's weights; "kaiming" draws std sqrt(2 / fan_in), zero biases.
    before = [p.detach().clone() for p in model.parameters()]
    returned = call_student(part, apply_init, model, "default")
    expect(returned is model, part, "apply_init(model, scheme) should return the model it was given (for chaining)")
    expect(
        all(torch.equal(a, p) for a, p in zip(before, model.parameters())),
        part,
        "apply_init(model, 'default') changed the weights: 'default' keeps PyTorch's own initialisation",
    )
    returned = call_student(part, apply_init, model, "kaiming")
    expect(returned is model, part, "apply_init(model, scheme) should return the model it was given (for chaining)")
    for layer in _linears(model):
        fan_in, fan_out = layer.in_features, layer.out_features
        std = layer.weight.detach().std().item()
        target = math.sqrt(2.0 / fan_in)
        if abs(std - math.sqrt(2.0 / fan_out)) < 0.03 * target and abs(std - target) > 0.03 * target:
            raise AssertionError(
                f"✗ {part}: Kaiming weights of a {fan_in}->{fan_out} layer have std {std:.4f} = sqrt(2 / fan_out): "
                "use mode='fan_in' (the default), which keeps the forward activations' scale"
            )
        expect(
            abs(std - target) < 0.03 * target,
            part,
            f"after apply_init(model, 'kaiming') a {fan_in}->{fan_out} layer's weights have std {std:.4f}, expected "
            f"sqrt(2 / {fan_in}) = {target:.4f}: use nn.init.kaiming_normal_(m.weight, nonlinearity='relu') on "
            "every nn.Linear (model.apply)",
        )
        expect(
            layer.bias is None or not bool(layer.bias.detach().any()),
            part,
            "after apply_init(model, 'kaiming') the biases should be zero: nn.init.zeros_(m.bias)",
        )

    # Schedulers.
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    none = call_student(part, make_scheduler, optimizer, "none", 10)
    expect(
        none is None, part, f"make_scheduler(optimizer, 'none', epochs) should return None, got {type(none).__name__}"
    )
    for name, kind in (
        ("step", torch.optim.lr_scheduler.StepLR),
        ("plateau", torch.optim.lr_scheduler.ReduceLROnPlateau),
    ):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = call_student(part, make_scheduler, optimizer, name, 10)
        expect(
            isinstance(scheduler, kind),
            part,
            f"make_scheduler(optimizer, {name!r}, epochs) should return {kind.__name__}, got {type(scheduler).__name__}",
        )
        expect(scheduler.optimizer is optimizer, part, f"the {name!r} scheduler should wrap the optimizer it was given")
        for _ in range(10):
            optimizer.step()
            if name == "plateau":
                scheduler.step(1.0)  # a validation loss that never improves
            else:
                scheduler.step()
        lr = optimizer.param_groups[0]["lr"]
        expect(
            lr < 0.1,
            part,
            f"after 10 epochs the {name!r} scheduler left the learning rate at {lr:g}: choose step_size (or "
            "patience) so that it is lowered within the run's `epochs`",
        )
    passed(part, "SGD with momentum and Adam; Kaiming init with std sqrt(2/fan_in); StepLR and ReduceLROnPlateau")


# --------------------------------------------------------------------------------------------
# 2.6 Final model
# --------------------------------------------------------------------------------------------


def check_final_setup(build_final_model: Callable, device: torch.device | str = "cpu") -> None:
    """2.6: ``build_final_model(device)`` -> ``(model, optimizer, scheduler, epochs)`` that fit together."""
    part = "2.6"
    with torch.random.fork_rng():
        result = call_student(part, build_final_model, device)
    expect(
        isinstance(result, (tuple, list)) and len(result) == 4,
        part,
        "build_final_model(device) should return (model, optimizer, scheduler, epochs)",
    )
    model, optimizer, scheduler, epochs = result
    expect(isinstance(model, nn.Module), part, f"the model should be an nn.Module, got {type(model).__name__}")
    expect(
        isinstance(optimizer, torch.optim.Optimizer),
        part,
        f"the optimizer should be a torch.optim optimizer, got {type(optimizer).__name__}",
    )
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    expect(
        held == {id(p) for p in model.parameters()}, part, "the optimizer should hold exactly the model's parameters"
    )
    expect(
        scheduler is None or getattr(scheduler, "optimizer", None) is optimizer,
        part,
        "the scheduler should be None or wrap the returned optimizer",
    )
    expect(
        isinstance(epochs, int) and not isinstance(epochs, bool) and 1 <= epochs <= 100,
        part,
        f"epochs should be an int between 1 and 100, got {epochs!r}",
    )
    param = next(model.parameters(), None)
    expect(param is not None, part, "the model has no parameters")
    expect(
        param.device.type == torch.device(device).type,
        part,
        f"the model is on {param.device}, not on {device}: call model.to(device)",
    )
    model.eval()
    with torch.no_grad():
        out = model(torch.zeros(2, 1, 28, 28, device=param.device))
    expect(tuple(out.shape) == (2, 10), part, f"the model maps (2, 1, 28, 28) to {tuple(out.shape)}, expected (2, 10)")
    model.train()
    passed(
        part,
        f"build_final_model: {type(model).__name__} with {_count(model):,} parameters, "
        f"{type(optimizer).__name__}, {type(scheduler).__name__ if scheduler is not None else 'no scheduler'}, "
        f"{epochs} epochs",
    )


def check_confusion_counts(confusion_counts: Callable) -> None:
    """2.6: ``confusion_counts(labels, predictions, num_classes)`` -> ``(C, C)`` counts, rows = true class."""
    part = "2.6"
    generator = torch.Generator().manual_seed(26)
    labels = torch.randint(0, 8, (500,), generator=generator)  # classes 8 and 9 never occur as labels
    predictions = torch.where(
        torch.rand(500, generator=generator) < 0.6, labels, torch.randint(0, 10, (500,), generator=generator)
    )
    matrix = call_student(part, confusion_counts, labels, predictions, 10)
    expect(
        isinstance(matrix, torch.Tensor),
        part,
        f"confusion_counts() should return a tensor, got {type(matrix).__name__}",
    )
    expect(
        tuple(matrix.shape) == (10, 10),
        part,
        f"confusion_counts(..., 10) returned shape {tuple(matrix.shape)}, expected (10, 10)",
    )
    expect(
        not matrix.is_floating_point() and int(matrix.sum()) == 500,
        part,
        f"the counts should be integers summing to the number of samples (500), got {matrix.dtype} summing to {matrix.sum().item():g}",
    )
    # One-hot rows of the labels times one-hot rows of the predictions: entry [i, j] counts pairs (i, j).
    expected = torch.nn.functional.one_hot(labels, 10).T @ torch.nn.functional.one_hot(predictions, 10)
    if torch.equal(matrix.cpu().long(), expected.T):
        raise AssertionError(f"✗ {part}: the matrix is transposed: rows are the true classes, columns the predictions")
    expect(
        torch.equal(matrix.cpu().long(), expected),
        part,
        "matrix[i, j] should count the samples of true class i predicted as class j",
    )
    passed(part, "confusion_counts: rows are true classes, columns predictions")

"""Self-checks for question 2 (`notebooks/hw08-q02.ipynb`): an MLP for Fashion-MNIST.

Every check runs the student's functions on small inputs and compares them with PyTorch's
own operations, with properties (normalised pixels have mean 0 and std 1, a parameter
count, the student's own layers composed in the documented order, a falling loss), or with
what spies saw the student's loop do (each batch's loss as the criterion computed it, the
model's mode and grad mode at every forward pass, stale gradients at every backward pass,
optimizer steps). The training loop runs on a stand-in GPU, so a batch left on the CPU
shows on any machine. None of them holds the answer.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from ._core import as_number, call_student, expect, expect_close, number, passed, plain, self_check, shown
from ._standin import STANDIN, is_on_device, move_parameters, on_host, simulating

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


def _message(error: BaseException) -> str:
    return str(error).lower()


def _linears(model: nn.Module) -> list[nn.Linear]:
    return [module for module in model.modules() if isinstance(module, nn.Linear)]


def _expected_parameters(sizes: list[int]) -> int:
    return sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))


def _count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------------------------
# 2.1 Data
# --------------------------------------------------------------------------------------------


def _transform_hint(error: BaseException) -> str:
    message = _message(error)
    if "tensor image" in message or "pil" in message or "should be tensor" in message:
        return "ToTensor must come first: Normalize works on tensors, not on PIL images"
    return "make_transform should return transforms.Compose([transforms.ToTensor(), transforms.Normalize(...)])"


def _pixels_hint(error: BaseException) -> str:
    message = _message(error)
    if any(word in message for word in ("byte", "uint8", "dtype", "float", "overflow")):
        return "Convert the uint8 pixels to float before computing (images.float() / 255)"
    if isinstance(error, (KeyError, IndexError, AttributeError, TypeError)):
        return (
            "pixel_mean_std(images) gets one uint8 tensor of shape (N, 28, 28) (the notebook passes dataset.data), "
            "not a dataset, a dict or a list of (image, label) pairs: compute on that tensor"
        )
    return ""


@self_check("2.1")
def check_data(pixel_mean_std: Callable, make_transform: Callable) -> None:
    """2.1: ``pixel_mean_std(uint8 images)`` -> two floats on the [0, 1] scale, and
    ``make_transform(mean, std)`` -> ToTensor + Normalize.

    The statistics are checked by their defining property: pixels normalised with them
    have mean 0 and standard deviation 1. The transform is compared with the formula
    ``(pixel / 255 - mean) / std`` on a PIL image, for a mean and std that are not
    Fashion-MNIST's.
    """
    part = "2.1"
    generator = torch.Generator().manual_seed(21)
    # Darker images and a brightness that grows from left to right: per-image or per-position statistics differ
    # from those of all pixels at once, so that a wrong formula shows.
    pixels = torch.randint(0, 256, (300, 28, 28), generator=generator).float() * torch.linspace(0.2, 1.0, 28)
    pixels[:100] /= 4
    images = pixels.to(torch.uint8)
    original = images.clone()
    result = call_student(part, pixel_mean_std, images, hint=_pixels_hint)
    expect(
        isinstance(result, (tuple, list)) and len(result) == 2,
        part,
        f"pixel_mean_std() should return a pair (mean, std), got {type(result).__name__}",
    )
    mean = as_number(result[0], part, "the mean returned by pixel_mean_std()", allow_tensor=False)
    std = as_number(result[1], part, "the std returned by pixel_mean_std()", allow_tensor=False)
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
        "take the mean over all pixels of all images, divided by 255",
    )
    expect(
        abs(normalised.std().item() - 1) < 1e-3,
        part,
        f"pixels normalised with your std have std {number(normalised.std().item())}, not 1: take the "
        "standard deviation over all pixels of all images at once (not an average of per-image stds), in floating "
        "point (squares of uint8 or int16 pixels overflow: convert with .float() or .double() first)",
    )

    image_pixels = np.asarray(images[150].numpy(), dtype=np.uint8)
    for t_mean, t_std in ((0.3, 0.4), (0.6, 0.2)):  # not Fashion-MNIST's, so hard-coded numbers show
        transform = call_student(part, make_transform, t_mean, t_std)
        expect(
            callable(transform), part, "make_transform() should return a callable transform (e.g. transforms.Compose)"
        )
        image = Image.fromarray(image_pixels)  # a 2-D uint8 array gives a grayscale ("L") image
        out = call_student(part, transform, image, name="the transform", hint=_transform_hint)
        expect(
            isinstance(out, torch.Tensor),
            part,
            f"the transform returned {type(out).__name__}: start it with transforms.ToTensor()",
        )
        expect(
            tuple(out.shape) == (1, 28, 28) and out.dtype == torch.float32,
            part,
            f"the transform returned a {out.dtype} tensor of shape {tuple(out.shape)}, expected float32 (1, 28, 28): "
            "transforms.ToTensor() gives that",
        )
        if out.min() >= 0 and out.max() <= 1:
            raise AssertionError(
                f"✗ {part}: the transform's values lie in [0, 1]: add transforms.Normalize((mean,), (std,)) "
                "after ToTensor, with the mean and std passed to make_transform"
            )
        expected = ((torch.from_numpy(image_pixels.copy()).float() / 255 - t_mean) / t_std).unsqueeze(0)
        expect_close(
            out,
            expected,
            part,
            f"make_transform({t_mean}, {t_std})(image)",
            hint="it should compute (pixel / 255 - mean) / std with the mean and std it is given",
        )
    passed(part, "pixel_mean_std and make_transform: normalised pixels have mean 0 and std 1")


# --------------------------------------------------------------------------------------------
# 2.2 Model
# --------------------------------------------------------------------------------------------


def _build(part: str, factory: Callable, *args: Any, **kwargs: Any) -> nn.Module:
    name = getattr(factory, "__name__", "the factory")
    call = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])

    def hint(error: BaseException) -> str:
        if isinstance(error, TypeError) and "argument" in _message(error):
            return f"The check calls {name}({call}): keep the signature given in the notebook"
        return ""

    model = call_student(part, factory, *args, name=name, hint=hint, **kwargs)
    expect(isinstance(model, nn.Module), part, f"{name}({call}) should give an nn.Module, got {type(model).__name__}")
    return model


def _forward_hint(error: BaseException) -> str:
    if "cannot be multiplied" in _message(error) or "size mismatch" in _message(error):
        return "Flatten each image first: x.view(x.size(0), -1) or nn.Flatten()"
    return ""


def _forward(part: str, model: nn.Module, x: torch.Tensor, what: str) -> torch.Tensor:
    with torch.no_grad():
        out = call_student(part, model, x, name=f"{what}.forward", hint=_forward_hint)
    expect(isinstance(out, torch.Tensor), part, f"{what}.forward should return a tensor, got {type(out).__name__}")
    return out


def _composed(model: nn.Module, x: torch.Tensor, batch_norm: bool) -> torch.Tensor:
    """What the documented MLP computes with ``model``'s own layers: Linear [-> BatchNorm1d] -> ReLU, ..., Linear.

    Eval mode: dropout is the identity and batch norm uses its running statistics.
    """
    linears = _linears(model)
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm1d)]
    h = x.flatten(1)
    for index, linear in enumerate(linears):
        h = F.linear(h, linear.weight, linear.bias)
        if index < len(linears) - 1:
            if batch_norm:
                norm = norms[index]
                h = F.batch_norm(h, norm.running_mean, norm.running_var, norm.weight, norm.bias, False, 0.0, norm.eps)
            h = h.clamp(min=0)
    return h


class _LayerInputs:
    """Forward hooks on every nn.Linear: the output of each and the input of each, in one forward pass."""

    def __init__(self, model: nn.Module) -> None:
        self.inputs: list[torch.Tensor] = []
        self.outputs: list[torch.Tensor] = []
        self.handles = [linear.register_forward_hook(self._record) for linear in _linears(model)]

    def _record(self, module: nn.Module, args: tuple, out: torch.Tensor) -> None:
        self.inputs.append(args[0].detach().clone())
        self.outputs.append(out.detach().clone())  # clone: an in-place ReLU after it would change it

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


def _check_dropout(part: str, MLP: Callable, x: torch.Tensor) -> None:
    """In train mode: after each hidden layer, the ReLU's outputs zeroed with probability p and the rest scaled."""
    for p in (0.5, 0.0):
        kwargs = {"dropout": p} if p else {}
        model = _build(part, MLP, 784, [256, 128], 10, **kwargs).train()
        spy = _LayerInputs(model)
        try:
            out = _forward(part, model, x, "MLP")
        finally:
            spy.remove()
        expect(
            len(spy.outputs) == 3,
            part,
            f"MLP(784, [256, 128], 10) used {len(spy.outputs)} nn.Linear layers in its forward pass, expected 3",
        )
        expect(
            torch.equal(out, spy.outputs[-1]),
            part,
            "in training mode the output should be the last nn.Linear's output: put nothing (no activation, "
            "no dropout) after the last layer",
        )
        for layer in range(2):
            activation = spy.outputs[layer].clamp(min=0)
            seen = spy.inputs[layer + 1]
            if p == 0.0:
                expect(
                    torch.equal(seen, activation),
                    part,
                    "MLP(784, [256, 128], 10) in training mode does more than ReLU between the layers: dropout "
                    "should default to 0 (no nn.Dropout unless dropout > 0)",
                )
                continue
            kept = activation > 0
            dropped = (seen == 0) & kept
            rate = dropped.sum().item() / max(1, kept.sum().item())
            scaled = torch.allclose(seen[kept & ~dropped], activation[kept & ~dropped] / (1 - p), rtol=1e-4, atol=1e-6)
            expect(
                abs(rate - p) < 0.05 and scaled,
                part,
                f"with dropout={p}, in training mode, after hidden layer {layer + 1} a fraction {rate:.2f} of the "
                f"activations is zeroed{'' if scaled else ' and the rest is not scaled by 1/(1-p)'}: put "
                "nn.Dropout(dropout) after each hidden ReLU",
            )
    model = _build(part, MLP, 784, [256, 128], 10, dropout=0.5).eval()
    first, second = _forward(part, model, x, "MLP"), _forward(part, model, x, "MLP")
    expect(torch.equal(first, second), part, "with dropout in eval mode the outputs should be deterministic")


def _check_batch_norm(part: str, MLP: Callable, x: torch.Tensor) -> None:
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
            if norm.affine:
                norm.weight.uniform_(0.5, 1.5).mul_(torch.where(torch.rand(norm.num_features) < 0.5, -1.0, 1.0))
                norm.bias.normal_(0, 0.5)
    normed.eval()
    with torch.no_grad():
        expected = _composed(normed, x, batch_norm=True)
    expect_close(
        _forward(part, normed, x, "MLP"),
        expected,
        part,
        "MLP(..., batch_norm=True) in eval mode",
        atol=1e-4,
        hint="each hidden block should be Linear -> BatchNorm1d -> ReLU",
    )
    plain = _build(part, MLP, 784, [256, 128], 10)
    expect(
        not any(isinstance(m, nn.BatchNorm1d) for m in plain.modules()),
        part,
        "MLP(784, [256, 128], 10) has nn.BatchNorm1d layers: batch_norm should default to False",
    )


def _check_sequential(part: str, make_sequential: Callable, model: nn.Module, x: torch.Tensor) -> None:
    sequential = _build(part, make_sequential, 784, [256, 128], 10)
    expect(
        isinstance(sequential, nn.Sequential),
        part,
        f"make_sequential() should return an nn.Sequential, got {type(sequential).__name__}",
    )
    count = _count(sequential)
    expect(
        count == MLP_784_256_128_10_PARAMETERS,
        part,
        f"make_sequential(784, [256, 128], 10) has {count:,} parameters, expected {MLP_784_256_128_10_PARAMETERS:,}",
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
    out = _forward(part, sequential, x, "make_sequential()")
    expect(
        tuple(out.shape) == (64, 10),
        part,
        f"make_sequential(784, [256, 128], 10) maps (64, 1, 28, 28) to {tuple(out.shape)}: start it with nn.Flatten()",
    )
    with torch.no_grad():
        expected = _composed(sequential, x, batch_norm=False)
    expect_close(
        out,
        expected,
        part,
        "make_sequential(784, [256, 128], 10) in eval mode",
        hint="it should be nn.Flatten(), then Linear -> ReLU for each hidden size, then the last Linear",
    )
    small = _build(part, make_sequential, 20, [16, 8, 4], 3)
    expect(
        _count(small) == _expected_parameters([20, 16, 8, 4, 3]),
        part,
        "make_sequential(20, [16, 8, 4], 3) has the wrong number of parameters: build the layers from hidden_sizes",
    )


@self_check("2.2")
def check_mlp(MLP: Callable, make_sequential: Callable) -> None:
    """2.2: ``MLP(input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False)`` built with
    ``nn.ModuleList``, and an equivalent ``make_sequential(input_size, hidden_sizes, output_size)``."""
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
        listed == 3, part, f"MLP(784, [256, 128], 10) has {listed} nn.Linear layers in its nn.ModuleList, expected 3"
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
        tuple(out.shape) == (64, 10),
        part,
        f"MLP(784, [256, 128], 10) maps a (64, 1, 28, 28) batch to {tuple(out.shape)}, expected (64, 10)",
    )
    with torch.no_grad():
        expected = _composed(model, x, batch_norm=False)
    expect_close(
        out,
        expected,
        part,
        "MLP(784, [256, 128], 10) in eval mode",
        hint="it should flatten the images, then apply Linear -> ReLU for each hidden size and the last Linear "
        "with nothing after it (the outputs are raw logits)",
    )
    small = _build(part, MLP, 20, [16, 8, 4], 3)
    expect(
        _count(small) == _expected_parameters([20, 16, 8, 4, 3]) and len(_linears(small)) == 4,
        part,
        f"MLP(20, [16, 8, 4], 3) has {len(_linears(small))} nn.Linear layers and {_count(small)} parameters, "
        f"expected 4 layers and {_expected_parameters([20, 16, 8, 4, 3])}: build the layers in a loop over "
        "hidden_sizes",
    )
    small_out = _forward(part, small.eval(), torch.randn(5, 20), "MLP(20, [16, 8, 4], 3)")
    expect(
        tuple(small_out.shape) == (5, 3),
        part,
        f"MLP(20, [16, 8, 4], 3) gave shape {tuple(small_out.shape)} for a (5, 20) input, expected (5, 3)",
    )
    _check_dropout(part, MLP, x)
    _check_batch_norm(part, MLP, x)
    _check_sequential(part, make_sequential, model, x)
    passed(
        part,
        f"MLP (nn.ModuleList) and nn.Sequential: {MLP_784_256_128_10_PARAMETERS:,} parameters, "
        "(N, 10) logits, dropout and batch norm where they belong",
    )


# --------------------------------------------------------------------------------------------
# 2.3 Loss
# --------------------------------------------------------------------------------------------


def _criterion_hint(error: BaseException) -> str:
    return (
        "The criterion takes (16, 10) logits and (16,) class indices: multi-class classification takes "
        "nn.CrossEntropyLoss() (an instance, not the class)"
    )


def _check_criterion(part: str, make_criterion: Callable) -> None:
    criterion = call_student(part, make_criterion)
    expect(callable(criterion), part, f"make_criterion() should return a loss module, got {type(criterion).__name__}")
    logits = torch.randn(16, 10) * 3
    labels = torch.randint(0, 10, (16,))
    value = call_student(part, criterion, logits, labels, name="the criterion", hint=_criterion_hint)
    expect(
        isinstance(value, torch.Tensor) and value.ndim == 0,
        part,
        "the criterion should return the mean loss, a 0-d tensor (make_criterion should return an instance, "
        f"nn.CrossEntropyLoss()), got {type(value).__name__}",
    )
    if torch.allclose(value, F.nll_loss(logits, labels), atol=1e-5):
        raise AssertionError(
            f"✗ {part}: that is NLLLoss, which expects log-probabilities: use nn.CrossEntropyLoss, "
            "which applies log_softmax to the raw logits itself"
        )
    expect_close(
        value,
        F.cross_entropy(logits, labels),
        part,
        "the criterion on raw logits",
        hint="use nn.CrossEntropyLoss() with its defaults (the mean over the batch, no label smoothing)",
    )


def _check_logits(part: str, MLP: Callable) -> None:
    model = _build(part, MLP, 784, [64], 10).eval()
    out = _forward(part, model, torch.randn(32, 1, 28, 28), "MLP")
    probabilities = bool((out >= 0).all()) and torch.allclose(out.sum(dim=1), torch.ones(len(out)), atol=1e-4)
    expect(
        not probabilities,
        part,
        "MLP.forward returns probabilities (rows sum to 1): remove the softmax. nn.CrossEntropyLoss "
        "applies log_softmax itself; a softmax before it squashes the logits and slows learning",
    )
    log_probabilities = bool((out <= 0).all()) and torch.allclose(out.exp().sum(dim=1), torch.ones(len(out)), atol=1e-4)
    expect(
        not log_probabilities,
        part,
        "MLP.forward returns log-probabilities (a log_softmax at the end): remove it. nn.CrossEntropyLoss "
        "applies log_softmax itself; return the last nn.Linear's raw logits",
    )


def _check_predict_proba(part: str, predict_proba: Callable) -> None:
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 10))
    x = torch.randn(12, 1, 28, 28)
    # The expected probabilities: exp(logit - logsumexp(logits)) of the eval-mode logits.
    logits = net.eval()(x).detach()
    reference = (logits - logits.logsumexp(dim=1, keepdim=True)).exp()
    net.train()
    graphs: list[bool] = []  # for each forward pass: did it record an autograd graph?
    handle = net.register_forward_hook(lambda module, args, out: graphs.append(bool(out.requires_grad)))
    try:
        probs = call_student(part, predict_proba, net, x)
    finally:
        handle.remove()
    expect(isinstance(probs, torch.Tensor), part, f"predict_proba() should return a tensor, got {type(probs).__name__}")
    expect(
        tuple(probs.shape) == (12, 10), part, f"predict_proba() returned shape {tuple(probs.shape)}, expected (12, 10)"
    )
    expect(
        not probs.requires_grad,
        part,
        "predict_proba() tracks gradients: wrap the forward pass in torch.no_grad()",
    )
    expect(
        not any(graphs),
        part,
        "predict_proba() ran the model with gradient tracking on and detached the result afterwards (.detach() or "
        ".data): by then autograd has recorded the whole graph, in time and memory. Run the forward pass inside "
        "`with torch.no_grad():` (or torch.inference_mode()), as the statement asks",
    )
    expect(
        torch.allclose(probs.sum(dim=1), torch.ones(12), atol=1e-5) and bool((probs >= 0).all()),
        part,
        "the rows of predict_proba() are not probabilities summing to 1: apply torch.softmax(logits, dim=1) "
        "(over the classes)",
    )
    expect_close(
        probs,
        reference,
        part,
        "predict_proba() (compared with the softmax of the eval-mode logits)",
        hint="call model.eval() first so that dropout is off",
    )


@self_check("2.3")
def check_loss(make_criterion: Callable, predict_proba: Callable, MLP: Callable) -> None:
    """2.3: the criterion is cross-entropy on raw logits, ``MLP.forward`` returns logits (no
    softmax), and ``predict_proba`` turns logits into probabilities in eval mode without gradients."""
    part = "2.3"
    torch.manual_seed(23)
    _check_criterion(part, make_criterion)
    _check_logits(part, MLP)
    _check_predict_proba(part, predict_proba)
    passed(part, "cross-entropy on raw logits; MLP returns logits; predict_proba gives probabilities in eval mode")


# --------------------------------------------------------------------------------------------
# 2.4 Training loop
# --------------------------------------------------------------------------------------------


class _Loader:
    """Batches ``(images, labels)`` on the stand-in's host, like a DataLoader: len(), .dataset, .batch_size.

    ``yielded`` holds the label batches it gave out, in order.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int, shuffle: bool) -> None:
        self.dataset = torch.utils.data.TensorDataset(images, labels)
        self.images, self.labels = images, labels
        self.batch_size, self.shuffle = batch_size, shuffle
        self.yielded: list[torch.Tensor] = []

    def __len__(self) -> int:
        return math.ceil(len(self.labels) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        order = torch.randperm(len(self.labels)) if self.shuffle else torch.arange(len(self.labels))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            self.yielded.append(self.labels[batch])
            yield on_host(self.images[batch]), on_host(self.labels[batch])


#: The loops get a criterion with label smoothing: a loop that computes its own cross-entropy instead of calling
#: the criterion it is given returns other numbers.
_SMOOTHING = 0.1


class _Criterion(nn.Module):
    """Cross-entropy with label smoothing that counts its calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def forward(self, outputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return F.cross_entropy(outputs, labels, label_smoothing=_SMOOTHING)


class _Spy:
    """What the student's loop did to the model and the optimizer, batch by batch."""

    def __init__(self, model: nn.Module, optimizer: torch.optim.Optimizer) -> None:
        self.model = model
        self.forwards: list[tuple[bool, bool, bool]] = []  # (training, grad enabled, input on the device)
        self.outputs: list[torch.Tensor] = []  # what each forward pass returned (detached, on the CPU)
        self.backwards = 0
        self.stale_backwards = 0
        self.steps: list[bool] = []  # per optimizer.step(): whether there were gradients to apply
        model.register_forward_pre_hook(self._on_forward)
        model.register_forward_hook(self._on_output)
        model.register_full_backward_pre_hook(self._on_backward)
        step = optimizer.step

        def spied_step(*args: Any, **kwargs: Any) -> Any:
            self.steps.append(any(p.grad is not None and bool(p.grad.any()) for p in model.parameters()))
            return step(*args, **kwargs)

        optimizer.step = spied_step  # type: ignore[method-assign]

    def _on_forward(self, module: nn.Module, args: Any) -> None:
        self.forwards.append((module.training, torch.is_grad_enabled(), is_on_device(args[0])))

    def _on_output(self, module: nn.Module, args: Any, output: torch.Tensor) -> None:
        self.outputs.append(plain(output))

    def _on_backward(self, module: nn.Module, grad_output: Any) -> None:
        # Runs before any parameter gradient of this backward pass is accumulated.
        self.backwards += 1
        if any(p.grad is not None and bool(p.grad.any()) for p in module.parameters()):
            self.stale_backwards += 1

    def reset(self) -> None:
        self.forwards.clear()
        self.outputs.clear()
        self.steps.clear()
        self.stale_backwards = 0
        self.backwards = 0


@functools.cache
def _fashion_subset(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``n`` Fashion-MNIST test images, normalised, and their labels."""
    from ..data import as_tensors, fashion_mnist

    images, labels = as_tensors(fashion_mnist(False))
    return images[:n].clone(), labels[:n].clone()


def _pair(result: Any, part: str, name: str) -> tuple[float, float]:
    """A ``(loss, accuracy)`` result as two floats, with hints on the shape of the return value."""
    expect(
        isinstance(result, (tuple, list)) and len(result) == 2,
        part,
        f"{name}() should return a pair (mean loss, accuracy), got {type(result).__name__}"
        + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""),
    )
    loss = as_number(result[0], part, f"the loss returned by {name}()")
    acc = as_number(result[1], part, f"the accuracy returned by {name}()")
    expect(math.isfinite(loss), part, f"{name}() returned a non-finite loss ({loss})")
    expect(
        0.0 <= acc <= 1.0,
        part,
        f"{name}() returned accuracy {acc:g}: return a fraction in [0, 1] (correct / number of samples)",
    )
    return loss, acc


def _loop_hint(error: BaseException) -> str:
    message = _message(error)
    if "same device" in message:
        return "Move each batch to the device the function is given: inputs.to(device), labels.to(device)"
    if "does not require grad" in message:
        return "The loss has no graph: do not compute it under torch.no_grad() or from detached outputs"
    return ""


def _batch_results(spy: _Spy, loader: _Loader) -> list[tuple[int, float, int]]:
    """``(batch size, loss with the criterion, correct predictions)`` of each batch, from what the model output."""
    results = []
    for outputs, labels in zip(spy.outputs, loader.yielded):
        loss = F.cross_entropy(outputs, labels, label_smoothing=_SMOOTHING).item()
        results.append((len(labels), loss, int((outputs.argmax(dim=1) == labels).sum())))
    return results


def _check_mean_loss(
    part: str, name: str, got: float, batches: list[tuple[int, float, int]], criterion: _Criterion
) -> None:
    """``got`` should be the per-sample mean of the batches' losses (the batches differ in size)."""
    samples = sum(size for size, _, _ in batches)
    expected = sum(size * loss for size, loss, _ in batches) / samples
    if abs(got - expected) <= 1e-4 * max(1.0, abs(expected)):
        return
    expect(
        criterion.calls > 0,
        part,
        f"{name}() returned mean loss {got:.4f}, but the criterion it is given gives {expected:.4f}, and it never "
        "called `criterion`: compute each batch's loss with criterion(outputs, labels)",
    )
    batch_mean = sum(loss for _, loss, _ in batches) / len(batches)
    if abs(got - batch_mean) <= 1e-5 * max(1.0, abs(batch_mean)):
        raise AssertionError(
            f"✗ {part}: {name}() returned the mean of the batch losses ({got:.4f}); the last batch is smaller, so "
            f"weight each batch's loss by its size: add up loss.item() * len(labels), divide by the number of "
            f"samples (expected {expected:.4f})"
        )
    raise AssertionError(
        f"✗ {part}: {name}() returned mean loss {got:.4f}, expected {expected:.4f}: the mean loss per sample, the sum "
        "of criterion(outputs, labels).item() * len(labels) over the batches divided by the number of samples"
    )


def _check_accuracy(part: str, name: str, got: float, correct: int, samples: int) -> None:
    expect(
        abs(got - correct / samples) < 1e-6,
        part,
        f"{name}() returned accuracy {got:.4f}, expected {correct / samples:.4f}: correct predictions "
        "(outputs.argmax(dim=1) == labels) divided by the number of samples",
    )


def _check_evaluate(
    part: str, evaluate: Callable, model: nn.Module, loader: _Loader, criterion: _Criterion, spy: _Spy
) -> tuple[float, float]:
    images, labels = loader.images, loader.labels
    with torch.no_grad():  # the reference: one batched forward pass in eval mode, whatever mode the model is left in
        model.eval()
        outputs = plain(model(on_host(images).to(STANDIN)))
        expected_loss = F.cross_entropy(outputs, labels, label_smoothing=_SMOOTHING).item()
        correct = (outputs.argmax(dim=1) == labels).sum().item()
    model.train()  # as after a training epoch: evaluate must switch to eval mode itself
    before = [p.detach().clone() for p in model.parameters()]
    spy.reset()
    loader.yielded.clear()
    criterion.calls = 0
    with simulating():
        result = _pair(
            call_student(part, evaluate, model, loader, criterion, STANDIN, hint=_loop_hint), part, "evaluate"
        )
    expect(len(spy.forwards) > 0, part, "evaluate() never called the model")
    expect(
        all(on_device for _, _, on_device in spy.forwards),
        part,
        f"evaluate() gave the model a batch that was not on the device (checked with {STANDIN}, a stand-in GPU): "
        "move each batch with inputs.to(device)",
    )
    expect(
        not any(training for training, _, _ in spy.forwards),
        part,
        "evaluate() ran the model in training mode: call model.eval() first (dropout and batch norm "
        "behave differently in evaluation)",
    )
    expect(
        not any(grad for _, grad, _ in spy.forwards),
        part,
        "evaluate() tracked gradients: wrap the loop in `with torch.no_grad():` (faster, less memory)",
    )
    expect(
        all(torch.equal(a, p.detach()) for a, p in zip(before, model.parameters())),
        part,
        "evaluate() changed the model's parameters: evaluation must not train",
    )
    _check_mean_loss(part, "evaluate", result[0], _batch_results(spy, loader), criterion)
    expect(
        abs(result[0] - expected_loss) <= 1e-4 * max(1.0, expected_loss),
        part,
        f"evaluate() returned mean loss {result[0]:.4f}, expected {expected_loss:.4f} (the mean loss per sample of "
        "the model in eval mode, over all the loader's batches)",
    )
    _check_accuracy(part, "evaluate", result[1], correct, len(labels))
    model.train()
    with simulating():
        again = _pair(call_student(part, evaluate, model, loader, criterion, STANDIN), part, "evaluate")
    expect(
        abs(again[0] - result[0]) < 1e-6 and again[1] == result[1],
        part,
        f"evaluate() gave {result} and then {again} on the same model: it should be deterministic",
    )
    return result


def _check_epoch(part: str, spy: _Spy, criterion: _Criterion, loader: _Loader, result: tuple[float, float]) -> None:
    batches = len(loader)
    expect(
        len(spy.forwards) == batches,
        part,
        f"train_one_epoch() ran {len(spy.forwards)} forward passes over a loader of {batches} batches: one per batch",
    )
    expect(
        all(on_device for _, _, on_device in spy.forwards),
        part,
        f"train_one_epoch() gave the model a batch that was not on the device (checked with {STANDIN}, a stand-in "
        "GPU): move each batch with inputs.to(device)",
    )
    expect(
        all(training for training, _, _ in spy.forwards),
        part,
        "train_one_epoch() ran the model in eval mode: call model.train() at its start "
        "(evaluate() leaves the model in eval mode, so dropout stayed off)",
    )
    expect(
        spy.backwards == batches,
        part,
        f"train_one_epoch() called loss.backward() {spy.backwards} times for {batches} batches",
    )
    expect(
        spy.stale_backwards == 0,
        part,
        "gradients from the previous batch were still there at loss.backward(): call "
        "optimizer.zero_grad() for every batch (backward() adds to .grad)",
    )
    expect(
        len(spy.steps) == batches,
        part,
        f"train_one_epoch() called optimizer.step() {len(spy.steps)} times for {batches} batches: one step per batch",
    )
    expect(
        all(spy.steps),
        part,
        "optimizer.step() found no gradients: call it after loss.backward() (and zero_grad() before backward())",
    )
    results = _batch_results(spy, loader)
    _check_mean_loss(part, "train_one_epoch", result[0], results, criterion)
    _check_accuracy(part, "train_one_epoch", result[1], sum(c for _, _, c in results), len(loader.labels))


@self_check("2.4")
def check_training_loop(train_one_epoch: Callable, evaluate: Callable) -> None:
    """2.4: the student's ``train_one_epoch`` and ``evaluate`` on 1,000 real images with a dropout model.

    The model lives on a stand-in GPU, the loader gives CPU batches (with ``len()``,
    ``.dataset`` and ``.batch_size``). Evaluation: eval mode, no gradients, batches moved to
    the device, deterministic, the mean loss per sample and the accuracy of a single batched
    forward pass. Training: train mode, one forward, backward and step per batch with the
    gradients zeroed before each backward pass, the mean loss (of the criterion it is given)
    and accuracy of what the model output, and a loss that falls over three epochs.
    """
    part = "2.4"
    images, labels = _fashion_subset(1000)
    torch.manual_seed(24)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10))
    move_parameters(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    spy, criterion = _Spy(model, optimizer), _Criterion()
    # 1000 = 7 * 128 + 104 and 3 * 300 + 100: the last batch is smaller.
    train_loader = _Loader(images, labels, batch_size=128, shuffle=True)
    eval_loader = _Loader(images, labels, batch_size=300, shuffle=False)

    before = _check_evaluate(part, evaluate, model, eval_loader, criterion, spy)
    losses = []
    for epoch in range(3):
        model.eval()  # as after evaluate(): train_one_epoch must switch to training mode itself
        spy.reset()
        train_loader.yielded.clear()
        criterion.calls = 0
        start = [p.detach().clone() for p in model.parameters()]
        with simulating():
            returned = call_student(
                part, train_one_epoch, model, train_loader, criterion, optimizer, STANDIN, hint=_loop_hint
            )
        result = _pair(returned, part, "train_one_epoch")
        _check_epoch(part, spy, criterion, train_loader, result)
        if epoch == 0:
            moved = any(not torch.equal(a, p.detach()) for a, p in zip(start, model.parameters()))
            expect(moved, part, "the parameters did not change: call optimizer.step() after loss.backward()")
        losses.append(result[0])
    expect(
        losses[-1] < losses[0],
        part,
        f"the training loss did not fall over 3 epochs ({', '.join(f'{v:.3f}' for v in losses)})",
    )
    after = _check_evaluate(part, evaluate, model, eval_loader, criterion, spy)
    expect(
        after[0] < before[0] - 0.3,
        part,
        f"after 3 epochs the evaluation loss went from {before[0]:.3f} to only {after[0]:.3f}",
    )
    passed(
        part,
        f"train_one_epoch and evaluate: loss {before[0]:.2f} -> {after[0]:.2f} in 3 epochs; modes, gradients, "
        "devices and per-sample means right",
    )


# --------------------------------------------------------------------------------------------
# 2.5 Experiments
# --------------------------------------------------------------------------------------------


def _probe_model() -> nn.Sequential:
    """Two linear layers, one nested in a block: an initialisation must reach every nn.Linear."""
    return nn.Sequential(nn.Sequential(nn.Linear(400, 300), nn.ReLU()), nn.Linear(300, 200))


#: What make_optimizer(model, name) must give: the class, the learning rate, and the call the statement asks for.
_OPTIMIZERS = {
    "sgd": (torch.optim.SGD, 0.05, "torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)"),
    "adam": (torch.optim.Adam, 1e-3, "torch.optim.Adam(model.parameters(), lr=1e-3)"),
}


def _check_optimizers(part: str, make_optimizer: Callable) -> None:
    model = _probe_model()
    ids = {id(p) for p in model.parameters()}
    for name, (kind, lr, wanted) in _OPTIMIZERS.items():
        optimizer = call_student(part, make_optimizer, model, name)
        expect(
            isinstance(optimizer, kind) and not isinstance(optimizer, torch.optim.AdamW),
            part,
            f"make_optimizer(model, {name!r}) should give {kind.__name__}, got {type(optimizer).__name__}: {wanted}",
        )
        held = {id(p) for group in optimizer.param_groups for p in group["params"]}
        expect(held == ids, part, f"the {name!r} optimizer should hold exactly model.parameters()")
        group = optimizer.param_groups[0]
        expect(
            abs(group["lr"] - lr) < 1e-12,
            part,
            f"the {name!r} optimizer has learning rate {group['lr']:g}, the statement's is {lr:g}: {wanted}",
        )
        expect(
            group.get("weight_decay", 0) == 0,
            part,
            f"the {name!r} optimizer has weight_decay={group.get('weight_decay')}: the experiment compares the plain "
            f"optimizers, {wanted}",
        )
        if name == "sgd":
            expect(
                abs(group.get("momentum", 0) - 0.9) < 1e-12,
                part,
                f"'sgd' should use momentum=0.9, got {group.get('momentum', 0)}: {wanted}",
            )


def _check_init(part: str, apply_init: Callable) -> None:
    model = _probe_model()
    before = [p.detach().clone() for p in model.parameters()]
    initial = {id(p): p.detach().clone() for p in model.parameters()}
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
        weights = layer.weight.detach()
        std, target = weights.std().item(), math.sqrt(2.0 / fan_in)
        expect(
            not torch.equal(weights, initial[id(layer.weight)]),
            part,
            f"apply_init(model, 'kaiming') left the weights of a {fan_in}->{fan_out} layer unchanged: reach every "
            "nn.Linear, also inside blocks, with model.apply(fn) (model.modules() works too; model.children() "
            "does not go deeper)",
        )
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
        tails = (weights.abs() > 2 * target).float().mean().item()
        expect(
            tails > 0.02,
            part,
            f"the weights of a {fan_in}->{fan_out} layer have the right std but no values beyond 2 std "
            f"({100 * tails:.1f}% instead of about 4.6%): that is a uniform distribution; use kaiming_normal_",
        )
        expect(
            layer.bias is None or not bool(layer.bias.detach().any()),
            part,
            "after apply_init(model, 'kaiming') the biases should be zero: nn.init.zeros_(m.bias)",
        )


def _check_schedulers(part: str, make_scheduler: Callable) -> None:
    model = _probe_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    none = call_student(part, make_scheduler, optimizer, "none", 10)
    expect(
        none is None, part, f"make_scheduler(optimizer, 'none', epochs) should return None, got {type(none).__name__}"
    )
    for name, kind, runs in (
        ("step", torch.optim.lr_scheduler.StepLR, (10, 4)),
        ("plateau", torch.optim.lr_scheduler.ReduceLROnPlateau, (10,)),
    ):
        for epochs in runs:
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            scheduler = call_student(part, make_scheduler, optimizer, name, epochs)
            expect(
                isinstance(scheduler, kind),
                part,
                f"make_scheduler(optimizer, {name!r}, epochs) should return {kind.__name__}, "
                f"got {type(scheduler).__name__}",
            )
            expect(
                scheduler.optimizer is optimizer, part, f"the {name!r} scheduler should wrap the optimizer it was given"
            )
            if name == "plateau":
                for loss in np.linspace(2.0, 1.0, epochs - 1):  # a validation loss that keeps improving
                    scheduler.step(float(loss))
                lr = optimizer.param_groups[0]["lr"]
                expect(
                    lr == 0.1,
                    part,
                    f"the 'plateau' scheduler lowered the learning rate to {lr:g} while the validation loss kept "
                    "falling: utils.fit passes it the loss, which should go down, so use mode='min' (the default)",
                )
                optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
                scheduler = call_student(part, make_scheduler, optimizer, name, epochs)
            # utils.fit steps the scheduler after each epoch: the rate must drop before the last epoch starts.
            for _ in range(epochs - 1):
                optimizer.step()
                if name == "plateau":
                    scheduler.step(1.0)  # a validation loss that never improves
                else:
                    scheduler.step()
            lr = optimizer.param_groups[0]["lr"]
            expect(
                lr < 0.1,
                part,
                f"with epochs={epochs} the {name!r} scheduler still has learning rate {lr:g} when the last epoch "
                f"starts (after {epochs - 1} steps): choose step_size (or patience) from `epochs` so that the rate "
                "is lowered while training still runs",
            )


@self_check("2.5")
def check_experiment_setup(make_optimizer: Callable, apply_init: Callable, make_scheduler: Callable) -> None:
    """2.5: ``make_optimizer(model, "sgd" | "adam")``, ``apply_init(model, "default" | "kaiming")``
    and ``make_scheduler(optimizer, "none" | "step" | "plateau", epochs)``."""
    part = "2.5"
    torch.manual_seed(25)
    _check_optimizers(part, make_optimizer)
    _check_init(part, apply_init)
    _check_schedulers(part, make_scheduler)
    passed(part, "SGD with momentum and Adam; Kaiming init with std sqrt(2/fan_in); StepLR and ReduceLROnPlateau")


# --------------------------------------------------------------------------------------------
# 2.6 Final model
# --------------------------------------------------------------------------------------------


def _check_placement(part: str, build_final_model: Callable) -> None:
    """On the ``meta`` device (shapes without data): a model left on the CPU shows on a CPU-only machine."""
    try:
        result = call_student(part, build_final_model, torch.device("meta"))
    except AssertionError:
        return  # inconclusive: code that needs real data; the run on the real device already passed
    model = result[0] if isinstance(result, (tuple, list)) and result else None
    parameter = next(model.parameters(), None) if isinstance(model, nn.Module) else None
    expect(
        parameter is None or parameter.device.type == "meta",
        part,
        f"build_final_model(device) left the model on {parameter.device if parameter is not None else '?'} "
        "when asked for another device (checked with torch.device('meta')): call .to(device) on the model",
    )


_CONVOLUTIONS = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
_PROBABILITIES = (nn.Softmax, nn.LogSoftmax, nn.Softmax2d)


def _check_architecture(part: str, model: nn.Module) -> None:
    """The statement's budget: a multi-layer perceptron, and raw logits for nn.CrossEntropyLoss."""
    for name, module in model.named_modules():
        expect(
            not isinstance(module, _CONVOLUTIONS),
            part,
            f"the final model holds nn.{type(module).__name__} (layer {name!r}): the statement's budget is a multi-layer "
            "perceptron, nn.Linear layers and what you put between them (activations, batch norm, dropout), "
            "no convolutions",
        )


def _check_outputs(part: str, model: nn.Module, device: torch.device) -> None:
    """In eval mode: logits, not (log-)probabilities; the same output twice (dropout is off)."""
    if device.type == "meta":
        return
    generator = torch.Generator().manual_seed(26)
    x = torch.randn(16, 1, 28, 28, generator=generator).to(device)
    first = _forward(part, model, x, "the final model")
    second = _forward(part, model, x, "the final model")
    rows = first.detach().float().cpu()
    layers = [type(module).__name__ for module in model.modules() if isinstance(module, _PROBABILITIES)]
    for what, values in (("probabilities", rows), ("log-probabilities", rows.exp())):
        where = f"it ends in nn.{layers[-1]}" if layers else "a softmax or log_softmax in forward"
        expect(
            not (bool((values >= 0).all()) and torch.allclose(values.sum(dim=1), torch.ones(len(values)), atol=1e-4)),
            part,
            f"the final model returns {what} ({where}): the notebook trains it with nn.CrossEntropyLoss, which "
            "applies log_softmax to raw logits itself; end with the last nn.Linear and return its raw logits",
        )
    expect(
        torch.equal(first, second),
        part,
        "in eval mode the final model gave two different outputs for the same batch: dropout still runs "
        "(F.dropout(x, p) without training=self.training?). Use nn.Dropout modules, or pass training=self.training",
    )


@self_check("2.6")
def check_final_setup(build_final_model: Callable, device: torch.device | str = "cpu") -> None:
    """2.6: ``build_final_model(device)`` -> ``(model, optimizer, scheduler, epochs)`` that fit together."""
    part = "2.6"
    device = torch.device(device)
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
        f"epochs should be an int between 1 and 100, got {shown(epochs)}",
    )
    param = next(model.parameters(), None)
    expect(param is not None, part, "the model has no parameters")
    expect(
        param.device.type == device.type,
        part,
        f"the model is on {param.device}, not on {device}: call model.to(device)",
    )
    _check_architecture(part, model)
    model.eval()
    out = _forward(part, model, torch.zeros(2, 1, 28, 28, device=param.device), "the final model")
    expect(tuple(out.shape) == (2, 10), part, f"the model maps (2, 1, 28, 28) to {tuple(out.shape)}, expected (2, 10)")
    _check_outputs(part, model, param.device)
    model.train()
    if device.type == "cpu":
        _check_placement(part, build_final_model)
    passed(
        part,
        f"build_final_model: {type(model).__name__} with {_count(model):,} parameters, "
        f"{type(optimizer).__name__}, {type(scheduler).__name__ if scheduler is not None else 'no scheduler'}, "
        f"{epochs} epochs",
    )


def _samples_for(counts: torch.Tensor, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Labels and predictions, shuffled, with ``counts[i, j]`` samples of class i predicted as j."""
    classes = counts.shape[0]
    pairs = torch.repeat_interleave(torch.arange(classes * classes), counts.flatten())
    pairs = pairs[torch.randperm(len(pairs), generator=generator)]
    return pairs // classes, pairs % classes


#: The most samples one confusion matrix may count: the Fashion-MNIST training set.
_MOST_SAMPLES = 60_000


@self_check("2.6")
def check_confusion_counts(confusion_counts: Callable) -> None:
    """2.6: ``confusion_counts(labels, predictions, num_classes)`` -> ``(C, C)`` integer counts, rows = true class.

    The labels and predictions are drawn from a count matrix chosen first (with classes that
    never occur as labels and a class never predicted), so the answer is known without
    computing one.
    """
    part = "2.6"
    generator = torch.Generator().manual_seed(26)
    for classes in (10, 3):
        counts = torch.randint(0, 9, (classes, classes), generator=generator)
        counts[-2:, :] = 0  # the last two classes never occur as labels
        counts[:, 0] = 0  # class 0 is never predicted
        if classes == 10:
            counts[0, 1] = 300  # more than a uint8 (or int8) counter holds: an overflow shows
        else:
            counts[:, -1] = 0  # the last class is never predicted either: only num_classes gives the size
            counts[0, 1] += 1
        labels, predictions = _samples_for(counts, generator)
        matrix = call_student(part, confusion_counts, labels.clone(), predictions.clone(), classes)
        expect(
            isinstance(matrix, torch.Tensor),
            part,
            f"confusion_counts() should return a tensor, got {type(matrix).__name__}",
        )
        expect(
            tuple(matrix.shape) == (classes, classes),
            part,
            f"confusion_counts(..., num_classes={classes}) returned shape {tuple(matrix.shape)}, "
            f"expected ({classes}, {classes}) (use num_classes, also for classes that never occur)",
        )
        expect(
            not matrix.is_floating_point() and not matrix.is_complex() and matrix.dtype != torch.bool,
            part,
            f"the counts should be an integer tensor, got {matrix.dtype} (torch.zeros(..., dtype=torch.long))",
        )
        expect(
            torch.iinfo(matrix.dtype).max >= _MOST_SAMPLES,
            part,
            f"the counts are {matrix.dtype}, which cannot count past {torch.iinfo(matrix.dtype).max}: the test set "
            f"puts about 900 images in one cell, and the training set {_MOST_SAMPLES:,} in all. Count in "
            "torch.long (torch.zeros(..., dtype=torch.long), or torch.bincount, which returns it)",
        )
        found = matrix.detach().cpu().long()
        if not torch.equal(found, counts) and torch.equal(found, counts.T):
            raise AssertionError(
                f"✗ {part}: the matrix is transposed: rows are the true classes, columns the predictions"
            )
        wrapped = found != counts
        expect(
            not (wrapped.any() and bool(((found[wrapped] - counts[wrapped]) % 256 == 0).all())),
            part,
            "the counts wrapped around at 256 (a cell of 300 came out as 44): they were counted in uint8 or int8 "
            "and converted afterwards. Count in torch.long from the start (torch.zeros(..., dtype=torch.long))",
        )
        expect(
            torch.equal(found.sum(dim=1), counts.sum(dim=1)),
            part,
            "the row sums should be the number of samples of each true class (rows are the labels)",
        )
        expect(
            torch.equal(found, counts),
            part,
            "matrix[i, j] should count the samples of true class i predicted as class j",
        )
    passed(part, "confusion_counts: rows are true classes, columns predictions, classes that never occur included")

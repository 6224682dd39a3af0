"""Hidden cases of question 2: other images, other layer sizes, other loaders and epochs, and the final model.

The final model is trained once in the student's kernel, as the notebook's final cells train
it (``seed_everything(0)``, ``build_final_model(device)``, ``utils.fit`` with the student's
loop, batches of 256 from ``utils.tensor_loaders``). It is trained when the student's loop
trains (2.4's ``train_one_epoch`` case passed), whatever 2.4's other checks say. Its test
accuracy is measured by the grader itself, never by the kernel's forward pass: the trained
weights and the list of the model's layers come back as data, the grader rebuilds the network
from torch.nn's standard layers holding those weights (checked to compute what the student's
model computed on 512 test images), and runs it on the test set and on the validation set
(``utils.tensor_loaders``' split of the training file). A model that does better on the test
set than on the validation set, though trained on neither, has seen the test set and is not
graded.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from ._compare import close, close_number, generator, kind_of, number, pair, require, state, tensor
from ._registry import Context, case
from .q01 import UNCHANGED


# --------------------------------------------------------------------------------------- 2.1
@case("2.1", "pixel_mean_std on 64 images of another brightness distribution")
def _pixel_mean_std(ctx: Context) -> None:
    images = torch.randint(0, 256, (64, 28, 28), dtype=torch.uint8, generator=generator(211))
    images[:40] = images[:40] // 3 + 100
    seen = ctx.student.run(UNCHANGED, name="pixel_mean_std", args=[images])
    mine = pair(seen["out"], "pixel_mean_std")
    require(seen["unchanged"] is True, "pixel_mean_std changed the images")
    theirs = ctx.reference.pixel_mean_std(images.clone())
    close_number(mine[0], number(theirs[0], "the mean"), "the mean of these images", rel=1e-4)
    close_number(mine[1], number(theirs[1], "the std"), "the standard deviation of these images", rel=1e-4)


TRANSFORM = """
from PIL import Image
def procedure(mean, std, pixels):
    return student.make_transform(mean, std)(Image.fromarray(pixels))
"""


@case("2.1", "make_transform(0.42, 0.21) on another image")
def _make_transform(ctx: Context) -> None:
    from PIL import Image

    pixels = np.random.default_rng(212).integers(0, 256, size=(28, 28), dtype=np.uint8)
    out = ctx.student.run(TRANSFORM, mean=0.42, std=0.21, pixels=pixels)
    close(
        tensor(out, "the transform's output"),
        ctx.reference.make_transform(0.42, 0.21)(Image.fromarray(pixels)),
        "make_transform(0.42, 0.21) of an image",
        atol=1e-5,
    )


# --------------------------------------------------------------------------------------- 2.2
SAME_NETWORK = """
import torch
from torch import nn
def procedure(name, args, kwargs, states, inputs):
    mine = getattr(student, name)(*args, **kwargs)
    if not isinstance(mine, nn.Module):
        return {"module": False, "type": type(mine).__name__}
    seen = {"module": True, "sequential": isinstance(mine, nn.Sequential),
            "count": sum(p.numel() for p in mine.parameters()),
            "drops": [float(m.p) for m in mine.modules() if isinstance(m, nn.Dropout)], "layers": {}}
    with torch.no_grad():
        for kind in (nn.Linear, nn.BatchNorm1d):
            layers = [m for m in mine.modules() if isinstance(m, kind)]
            seen["layers"][kind.__name__] = [[list(t.shape) for t in m.state_dict().values()] for m in layers]
            wanted = states[kind.__name__]
            if len(layers) != len(wanted):
                return seen
            for layer, wanted_state in zip(layers, wanted):
                if [list(t.shape) for t in layer.state_dict().values()] != [list(t.shape) for t in wanted_state.values()]:
                    return seen
                layer.load_state_dict(wanted_state)
        mine.eval()
        seen["outputs"] = [mine(x) for x in inputs]
    return seen
"""


def _same_network(ctx: Context, call: tuple, theirs: nn.Module, inputs: list[torch.Tensor], what: str) -> dict:
    """Build the student's network in the kernel, copy ``theirs``'s weights into it layer by layer, compare outputs."""
    with torch.no_grad():
        for index, y in enumerate(m for m in theirs.modules() if isinstance(m, nn.BatchNorm1d)):
            y.running_mean.normal_(
                0, 0.5, generator=generator(220 + index)
            )  # statistics that make a wrong order visible
            y.running_var.uniform_(0.5, 2.0, generator=generator(230 + index))
            y.weight.uniform_(-1.5, 1.5, generator=generator(240 + index))
            y.bias.normal_(0, 0.5, generator=generator(250 + index))
    states = {
        kind.__name__: [dict(m.state_dict()) for m in theirs.modules() if isinstance(m, kind)]
        for kind in (nn.Linear, nn.BatchNorm1d)
    }
    name, args, kwargs = call
    seen = ctx.student.run(SAME_NETWORK, name=name, args=list(args), kwargs=kwargs, states=states, inputs=inputs)
    require(
        type(seen) is dict and seen.get("module") is True,
        f"{what} should be an nn.Module, got {kind_of(seen.get('type'))}",
    )
    expected = sum(p.numel() for p in theirs.parameters())
    require(seen["count"] == expected, f"{what} has {seen['count']} parameters, expected {expected}")
    drops = [m.p for m in theirs.modules() if isinstance(m, nn.Dropout)]
    require(seen["drops"] == drops, f"{what} has dropout layers {seen['drops']}")
    for kind, wanted in states.items():
        layers = seen["layers"].get(kind)
        require(
            type(layers) is list and len(layers) == len(wanted),
            f"{what} has {len(layers or [])} {kind} layers, expected {len(wanted)}",
        )
        for index, (shapes, target) in enumerate(zip(layers, wanted)):
            require(
                shapes == [list(t.shape) for t in target.values()], f"{kind} layer {index} of {what} has other shapes"
            )
    theirs.eval()
    outputs = seen.get("outputs")
    require(type(outputs) is list and len(outputs) == len(inputs), f"{what} could not be run")
    with torch.no_grad():
        for x, out in zip(inputs, outputs):
            close(
                tensor(out, f"{what}'s output"),
                theirs(x),
                f"{what} on an input of shape {tuple(x.shape)} (eval mode)",
                atol=1e-5,
            )
    return seen


@case("2.2", "MLP(30, [17, 9], 4, dropout=0.3, batch_norm=True) and MLP(12, [5], 3)")
def _mlp(ctx: Context) -> None:
    g = generator(221)
    for args, kwargs, shapes in (
        ((30, [17, 9], 4), {"dropout": 0.3, "batch_norm": True}, [(6, 30), (6, 1, 5, 6)]),
        ((12, [5], 3), {}, [(4, 12), (4, 1, 3, 4)]),
    ):
        torch.manual_seed(7)
        theirs = ctx.reference.MLP(*args, **kwargs)
        call = f"MLP{args}" if not kwargs else f"MLP{args[:-1] + (args[-1],)} with {kwargs}"
        _same_network(ctx, ("MLP", args, kwargs), theirs, [torch.randn(*s, generator=g) for s in shapes], call)


@case("2.2", "make_sequential(12, [8, 6, 5], 3)")
def _sequential(ctx: Context) -> None:
    inputs = [torch.randn(5, 1, 3, 4, generator=generator(222))]
    theirs = ctx.reference.make_sequential(12, [8, 6, 5], 3)
    what = "make_sequential(12, [8, 6, 5], 3)"
    seen = _same_network(ctx, ("make_sequential", (12, [8, 6, 5], 3), {}), theirs, inputs, what)
    require(seen["sequential"] is True, "make_sequential should return an nn.Sequential")


# --------------------------------------------------------------------------------------- 2.3
CRITERION = """
def procedure(logits, targets):
    return student.make_criterion()(logits, targets)
"""


@case("2.3", "make_criterion on (9, 10) logits; predict_proba of a model with dropout left in training mode")
def _loss(ctx: Context) -> None:
    g = generator(231)
    logits, targets = torch.randn(9, 10, generator=g) * 3, torch.randint(0, 10, (9,), generator=g)
    close(
        tensor(ctx.student.run(CRITERION, logits=logits, targets=targets), "the criterion's value"),
        ctx.reference.make_criterion()(logits, targets),
        "the loss of (9, 10) logits",
        atol=1e-6,
    )
    torch.manual_seed(8)
    model = nn.Sequential(nn.Flatten(), nn.Linear(20, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 10)).train()
    images = torch.randn(5, 1, 4, 5, generator=g)
    mine = ctx.student.predict_proba(copy.deepcopy(model).train(), images)
    close(
        tensor(mine, "predict_proba"),
        ctx.reference.predict_proba(copy.deepcopy(model).train(), images).detach(),
        "predict_proba of a model with dropout",
        atol=1e-6,
    )


# --------------------------------------------------------------------------------------- 2.4
def _loader(seed: int, batch_size: int, classes: int = 4) -> tuple[torch.Tensor, torch.Tensor, int]:
    g = generator(seed)
    return torch.randn(203, 1, 4, 5, generator=g), torch.randint(0, classes, (203,), generator=g), batch_size


def _data_loader(data: tuple[torch.Tensor, torch.Tensor, int]):
    from torch.utils.data import DataLoader, TensorDataset

    return DataLoader(TensorDataset(data[0], data[1]), batch_size=data[2], shuffle=False)


LOADER = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
def loader(data):
    return DataLoader(TensorDataset(data[0], data[1]), batch_size=data[2], shuffle=False)
"""

TRAIN = (
    LOADER
    + """
def procedure(model, optimizer, data, epochs):
    results = []
    for _ in range(epochs):
        model.eval()
        results.append(student.train_one_epoch(model, loader(data), nn.CrossEntropyLoss(), optimizer, torch.device("cpu")))
    return {"results": results, "state": dict(model.state_dict())}
"""
)


def _two_numbers(result: object, name: str) -> tuple[float, float]:
    first, second = pair(result, name)
    return number(first, f"{name}'s mean loss"), number(second, f"{name}'s accuracy")


@case("2.4", "train_one_epoch for two epochs on 203 other samples (batches of 32), starting in eval mode")
def _train_one_epoch(ctx: Context) -> None:
    torch.manual_seed(9)
    model = nn.Sequential(nn.Flatten(), nn.Linear(20, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 4))
    theirs = copy.deepcopy(model)
    data = _loader(241, 32)
    mine = copy.deepcopy(model)
    seen = ctx.student.run(
        TRAIN, model=mine, optimizer=torch.optim.SGD(mine.parameters(), lr=0.1, momentum=0.9), data=data, epochs=2
    )
    optimizer = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    results = seen["results"]
    require(type(results) is list and len(results) == 2, "train_one_epoch could not be observed")
    for epoch, result in zip((1, 2), results):
        theirs.eval()
        ref_loss, ref_acc = ctx.reference.train_one_epoch(
            theirs, _data_loader(data), nn.CrossEntropyLoss(), optimizer, torch.device("cpu")
        )
        loss, acc = _two_numbers(result, "train_one_epoch")
        require(
            abs(loss - ref_loss) <= 1e-4 * max(1.0, abs(ref_loss)),
            f"epoch {epoch}: train_one_epoch returned mean loss {loss:.5f}, not the expected value",
        )
        require(
            abs(acc - ref_acc) <= 1e-6,
            f"epoch {epoch}: train_one_epoch returned accuracy {acc:.5f}, not the expected value",
        )
    after = state(seen["state"], "the model's state_dict")
    expected = theirs.state_dict()
    require(list(after) == list(expected), "train_one_epoch changed the model's entries")
    for name, b in expected.items():
        close(after[name].float(), b.float(), f"the model's {name} after two epochs", atol=1e-4, rtol=1e-4)


EVALUATE = (
    LOADER
    + """
def procedure(model, data, classes):
    criterion = nn.CrossEntropyLoss()
    return [student.evaluate(model.train(), loader(data), criterion, torch.device("cpu")) for _ in range(2)]
"""
)


@case("2.4", "evaluate on 203 other samples (batches of 50) with a model left in training mode")
def _evaluate(ctx: Context) -> None:
    torch.manual_seed(10)
    model = nn.Sequential(nn.Flatten(), nn.Linear(20, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 5))
    data = _loader(242, 50, classes=5)
    seen = ctx.student.run(EVALUATE, model=copy.deepcopy(model), data=data, classes=5, seed=10)
    require(type(seen) is list and len(seen) == 2, "evaluate could not be observed")
    first, second = (_two_numbers(r, "evaluate") for r in seen)
    expected = ctx.reference.evaluate(
        copy.deepcopy(model).train(), _data_loader(data), nn.CrossEntropyLoss(), torch.device("cpu")
    )
    require(first == second, "evaluate gave two different answers for the same model and data")
    require(
        abs(first[0] - expected[0]) <= 1e-5 * max(1.0, expected[0]),
        f"evaluate returned mean loss {first[0]:.5f}, not the expected value",
    )
    require(abs(first[1] - expected[1]) <= 1e-6, f"evaluate returned accuracy {first[1]:.5f}, not the expected value")


# --------------------------------------------------------------------------------------- 2.5
MAKE_OPTIMIZER = """
import torch
def procedure(model, name):
    optimizer = student.make_optimizer(model, name)
    if not isinstance(optimizer, torch.optim.Optimizer):
        return {"type": type(optimizer).__name__}
    kind = type(optimizer)
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    return {"type": f"{kind.__module__}.{kind.__qualname__}", "optimizer": True,
            "exact": held == {id(p) for p in model.parameters()},
            "group": {k: v for k, v in optimizer.param_groups[0].items() if k in ("lr", "momentum")}}
"""


def _qualified(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


@case("2.5", "make_optimizer on another model; its type, learning rate and momentum")
def _make_optimizer(ctx: Context) -> None:
    torch.manual_seed(11)
    model = nn.Sequential(nn.Linear(9, 7), nn.ReLU(), nn.Linear(7, 2))
    for name in ("sgd", "adam"):
        seen = ctx.student.run(MAKE_OPTIMIZER, model=copy.deepcopy(model), name=name)
        theirs = ctx.reference.make_optimizer(model, name)
        require(seen.get("optimizer") is True, f"make_optimizer(model, {name!r}) returned {seen.get('type')}")
        allowed = (torch.optim.Adam, torch.optim.AdamW) if name == "adam" else (type(theirs),)
        kind = seen["type"]
        require(kind in {_qualified(k) for k in allowed}, f"make_optimizer(model, {name!r}) returned {str(kind)[:80]}")
        require(seen["exact"] is True, f"the {name!r} optimizer does not hold exactly the model's parameters")
        group = seen["group"]
        for key in ("lr", "momentum"):
            if key in theirs.param_groups[0]:
                value = group.get(key)
                require(
                    type(value) in (int, float) and value == theirs.param_groups[0][key],
                    f"the {name!r} optimizer has {key}={value}, not the value the statement gives",
                )


APPLY_INIT = """
import torch
from torch import nn
def procedure():
    model = nn.Sequential(nn.Linear(1000, 600), nn.ReLU(), nn.Linear(600, 300), nn.ReLU(), nn.Linear(300, 10))
    before = [p.detach().clone() for p in model.parameters()]
    seen = {"default_returns": student.apply_init(model, "default") is model}
    seen["default_kept"] = all(torch.equal(a, p) for a, p in zip(before, model.parameters()))
    seen["kaiming_returns"] = student.apply_init(model, "kaiming") is model
    seen["layers"] = [(m.weight.detach().clone(), m.bias.detach().clone()) for m in model.modules() if isinstance(m, nn.Linear)]
    return seen
"""


@case("2.5", "apply_init on a 1000-600-300-10 network")
def _apply_init(ctx: Context) -> None:
    seen = ctx.student.run(APPLY_INIT, seed=12)
    require(seen["default_returns"] is True, "apply_init should return the model it was given")
    require(seen["default_kept"] is True, "apply_init(model, 'default') changed the weights")
    require(seen["kaiming_returns"] is True, "apply_init should return the model it was given")
    layers = seen["layers"]
    require(type(layers) is list and len(layers) == 3, "apply_init changed the model's layers")
    for (weight, bias), (n_in, n_out) in zip(layers, ((1000, 600), (600, 300), (300, 10))):
        weight, bias = tensor(weight, "a weight"), tensor(bias, "a bias")
        require(tuple(weight.shape) == (n_out, n_in) and tuple(bias.shape) == (n_out,), "apply_init changed the shapes")
        target = (2.0 / n_in) ** 0.5
        std = weight.std().item()
        require(abs(std - target) < 0.05 * target, f"after 'kaiming' a {n_in}->{n_out} layer has weight std {std:.4f}")
        require(
            abs(weight.mean().item()) < 0.1 * target,
            f"after 'kaiming' a {n_in}->{n_out} layer's weights are not centred",
        )
        require(not bias.any(), "after 'kaiming' the biases should be zero")


MAKE_SCHEDULER = """
import torch
def procedure(epochs):
    model = torch.nn.Linear(3, 2)
    seen = {"none": student.make_scheduler(torch.optim.SGD(model.parameters(), lr=0.2), "none", epochs) is None}
    for name, kind in (("step", torch.optim.lr_scheduler.StepLR), ("plateau", torch.optim.lr_scheduler.ReduceLROnPlateau)):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
        scheduler = student.make_scheduler(optimizer, name, epochs)
        entry = {"type": type(scheduler).__name__, "kind": isinstance(scheduler, kind)}
        if entry["kind"]:
            entry["wraps"] = scheduler.optimizer is optimizer
            for _ in range(epochs):
                optimizer.step()
                scheduler.step(1.0) if name == "plateau" else scheduler.step()
            entry["lr"] = float(optimizer.param_groups[0]["lr"])
        seen[name] = entry
    return seen
"""


@case("2.5", "make_scheduler for runs of 4, 7 and 30 epochs")
def _make_scheduler(ctx: Context) -> None:
    for epochs in (4, 7, 30):
        seen = ctx.student.run(MAKE_SCHEDULER, epochs=epochs)
        require(seen["none"] is True, "make_scheduler(..., 'none', epochs) should return None")
        for name in ("step", "plateau"):
            entry = seen[name]
            require(
                entry["kind"] is True, f"make_scheduler(..., {name!r}, {epochs}) returned {str(entry['type'])[:60]}"
            )
            require(entry["wraps"] is True, f"the {name!r} scheduler does not wrap the optimizer it was given")
            lr = number(entry["lr"], "the learning rate")
            require(lr < 0.2, f"in a run of {epochs} epochs the {name!r} scheduler never lowered the learning rate")


# --------------------------------------------------------------------------------------- 2.6
@case("2.6", "confusion_counts of 1000 samples over 7 classes (two never true) and of 40 over 3")
def _confusion_counts(ctx: Context) -> None:
    g = generator(261)
    for n, classes, present in ((1000, 7, 5), (40, 3, 3)):
        labels = torch.randint(0, present, (n,), generator=g)
        predictions = torch.where(
            torch.rand(n, generator=g) < 0.5, labels, torch.randint(0, classes, (n,), generator=g)
        )
        mine = tensor(ctx.student.confusion_counts(labels, predictions, classes), "confusion_counts")
        expected = ctx.reference.confusion_counts(labels, predictions, classes)
        require(
            tuple(mine.shape) == (classes, classes), f"confusion_counts(..., {classes}) has shape {tuple(mine.shape)}"
        )
        require(
            not mine.is_floating_point() and mine.dtype != torch.bool,
            f"confusion_counts returned {mine.dtype} counts, not integers",
        )
        require(
            torch.equal(mine.long(), expected.cpu().long()),
            f"confusion_counts of {n} samples over {classes} classes has wrong counts",
        )


#: The cases of 2.4 the final training needs: the student's loop must train; their evaluate only if it passes.
TRAINS = "2.4 train_one_epoch for two epochs on 203 other samples (batches of 32), starting in eval mode"
EVALUATES = "2.4 evaluate on 203 other samples (batches of 50) with a model left in training mode"

FINAL = """
import torch
from utils import fit, seed_everything, tensor_loaders
def _evaluate(model, loader, criterion, device):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, labels in loader:
            outputs = model(inputs.to(device))
            total += criterion(outputs, labels.to(device)).item() * len(labels)
            correct += (outputs.argmax(dim=1) == labels.to(device)).sum().item()
            count += len(labels)
    return total / count, correct / count
def _plain(value):
    if type(value) in (bool, int, float, str) or value is None:
        return value
    if type(value) in (tuple, list) and all(type(v) is int for v in value):
        return list(value)
    return None
def _layers(model, settings):
    layers = []
    for name, module in model.named_modules():
        if next(module.children(), None) is None:
            kind = type(module)
            config = {key: _plain(getattr(module, key, None)) for key in settings}
            layers.append([name, kind.__module__ + "." + kind.__qualname__, config])
    return layers
def procedure(device, own_evaluate, probe, settings):
    device = torch.device(device)
    loaders = tensor_loaders(batch_size=256, device=device)
    seed_everything(0)
    result = student.build_final_model(device)
    if not (isinstance(result, (tuple, list)) and len(result) == 4):
        return {"built": False}
    model, optimizer, scheduler, epochs = result
    fit(model, loaders.train, loaders.val, student.make_criterion(), optimizer, epochs, device,
        train_one_epoch=student.train_one_epoch, evaluate=student.evaluate if own_evaluate else _evaluate,
        scheduler=scheduler, progress=False)
    model.eval()
    layers = _layers(model, settings)
    with torch.no_grad():
        test_images = torch.cat([x for x, _ in loaders.test])
        outputs = model(test_images[probe.to(device)])
    return {"built": True, "state": dict(model.state_dict()), "layers": layers, "probe": outputs}
"""


def _sets() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Fashion-MNIST as the notebook splits it (``utils.tensor_loaders``), read in the grader's process."""
    from utils import tensor_loaders

    if not _SETS:
        loaders = tensor_loaders(batch_size=256)
        for name in ("train", "val", "test"):
            loader = getattr(loaders, name)
            _SETS[name] = (loader.images, loader.labels)
    return _SETS


def _test_set() -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST's test images and labels (the same files the kernel reads)."""
    return _sets()["test"]


_SETS: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}

#: The layers the grader rebuilds a final model from, by their class's qualified name: the class
#: and the settings it takes from the student's layer (sizes always come from the weights).
STANDARD = {
    f"{kind.__module__}.{kind.__qualname__}": (kind, settings)
    for kind, settings in (
        (nn.Linear, ()),
        (nn.BatchNorm1d, ("eps",)),
        (nn.LayerNorm, ("eps", "normalized_shape")),
        (nn.PReLU, ()),
        (nn.ReLU, ()),
        (nn.ReLU6, ()),
        (nn.LeakyReLU, ("negative_slope",)),
        (nn.ELU, ("alpha",)),
        (nn.CELU, ("alpha",)),
        (nn.SELU, ()),
        (nn.GELU, ("approximate",)),
        (nn.SiLU, ()),
        (nn.Mish, ()),
        (nn.Tanh, ()),
        (nn.Sigmoid, ()),
        (nn.Softplus, ("beta", "threshold")),
        (nn.Softsign, ()),
        (nn.Hardswish, ()),
        (nn.Hardsigmoid, ()),
        (nn.Hardtanh, ("min_val", "max_val")),
        (nn.Identity, ()),
        (nn.Dropout, ()),
        (nn.AlphaDropout, ()),
        (nn.Flatten, ("start_dim", "end_dim")),
    )
}
SETTINGS = sorted({name for _, names in STANDARD.values() for name in names})
#: How much better on the test set than on the validation set a model may do before it counts as
#: having seen the test set: neither is trained on, so they differ by chance only (about 0.005).
TEST_SET_MARGIN = 0.02


def _layer(kind: str, config: object, weights: dict[str, torch.Tensor]) -> nn.Module:
    """One standard layer of ``kind`` holding ``weights``; ValueError when it is not one."""
    if kind not in STANDARD:
        raise ValueError(f"{kind.rsplit('.', 1)[-1]} is not one of torch.nn's standard layers")
    cls, names = STANDARD[kind]
    config = config if type(config) is dict else {}
    given = {name: config.get(name) for name in names if config.get(name) is not None}
    for name, value in given.items():
        if type(value) not in (int, float, str, list) or (type(value) is list and len(value) > 4):
            raise ValueError(f"{cls.__name__}'s {name} is not a setting")
    if cls is nn.Linear:
        weight = weights.get("weight")
        if weight is None or weight.dim() != 2:
            raise ValueError("a Linear layer without a 2-D weight")
        layer = nn.Linear(weight.shape[1], weight.shape[0], bias="bias" in weights)
    elif cls is nn.BatchNorm1d:
        size = next(iter(weights.values()), torch.empty(0)).shape
        if len(size) != 1:
            raise ValueError("a BatchNorm1d layer without its statistics")
        layer = nn.BatchNorm1d(
            size[0], eps=float(given.get("eps", 1e-5)), affine="weight" in weights,
            track_running_stats="running_mean" in weights,
        )  # fmt: skip
    elif cls is nn.LayerNorm:
        shape = tuple(weights["weight"].shape) if "weight" in weights else tuple(given.get("normalized_shape", ()))
        if not shape or not all(type(n) is int and 0 < n <= 2**16 for n in shape):
            raise ValueError("a LayerNorm layer of no size")
        layer = nn.LayerNorm(
            shape, eps=float(given.get("eps", 1e-5)), elementwise_affine="weight" in weights, bias="bias" in weights
        )
    elif cls is nn.PReLU:
        weight = weights.get("weight")
        if weight is None or weight.dim() != 1:
            raise ValueError("a PReLU layer without its weight")
        layer = nn.PReLU(len(weight))
    else:
        layer = cls(**{k: tuple(v) if type(v) is list else v for k, v in given.items()})
    layer.load_state_dict(weights, strict=True)
    return layer


def _as_written(layers: object, weights: dict[str, torch.Tensor]) -> nn.Module:
    """The student's leaf layers, in the order the model defines them, as standard layers with their weights."""
    if type(layers) is not list or not layers:
        raise ValueError("the model's layers were not reported")
    built, used = [nn.Flatten()], set()
    for item in layers:
        if type(item) is not list or len(item) != 3 or type(item[0]) is not str or type(item[1]) is not str:
            raise ValueError("the model's layers were not reported")
        name, kind, config = item
        prefix = f"{name}." if name else ""
        own = {k[len(prefix) :]: v for k, v in weights.items() if k.startswith(prefix) and "." not in k[len(prefix) :]}
        used.update(prefix + k for k in own)
        built.append(_layer(kind, config, own))
    if used != set(weights):
        raise ValueError("the model holds weights outside its layers")
    return nn.Sequential(*built).eval()


#: The standard layers that are not an activation (2.2's pattern puts one activation between hidden layers).
STRUCTURE = (nn.Linear, nn.BatchNorm1d, nn.LayerNorm, nn.Dropout, nn.AlphaDropout, nn.Flatten, nn.Identity)
NORMS = {"torch.nn.modules.batchnorm.BatchNorm1d", "torch.nn.modules.normalization.LayerNorm"}
LINEAR = "torch.nn.modules.linear.Linear"


def _activation(layers: object) -> nn.Module:
    """The one kind of activation among the model's layers (a module used after every hidden layer), else ReLU."""
    found = {}  # (kind, its settings, sorted) -> (kind, settings)
    for item in layers if type(layers) is list else []:
        if type(item) is list and len(item) == 3 and item[1] in STANDARD and STANDARD[item[1]][0] not in STRUCTURE:
            settings = repr(sorted(item[2].items())) if type(item[2]) is dict else ""
            found.setdefault((item[1], settings), (item[1], item[2]))
    return _layer(*found.popitem()[1], {}) if len(found) == 1 else nn.ReLU()


def _by_pattern(weights: dict[str, torch.Tensor], layers: object = None) -> nn.Module:
    """2.2's pattern from the weights (Linear, [norm], activation per hidden layer): for a forward that applies
    its activation itself (a function, or one module used after every layer)."""
    groups: dict[str, dict[str, torch.Tensor]] = {}
    for key, value in weights.items():
        prefix, _, name = key.rpartition(".")
        groups.setdefault(prefix, {})[name] = value
    kinds = []
    for group in groups.values():
        weight = group.get("weight")
        if "running_mean" in group:
            kinds.append("torch.nn.modules.batchnorm.BatchNorm1d")
        elif weight is not None and weight.dim() == 1:
            kinds.append("torch.nn.modules.normalization.LayerNorm")
        else:
            kinds.append(LINEAR)
    if kinds[:1] != [LINEAR] or kinds[-1] != LINEAR:
        raise ValueError("not 2.2's pattern")
    activation = _activation(layers)
    built: list[nn.Module] = [nn.Flatten()]
    for index, (kind, group) in enumerate(zip(kinds, groups.values())):
        built.append(_layer(kind, {}, group))
        if index < len(kinds) - 1 and (kind in NORMS or kinds[index + 1] == LINEAR):
            built.append(copy.deepcopy(activation))
    return nn.Sequential(*built).eval()


def rebuild(seen: dict, weights: dict[str, torch.Tensor], probe: torch.Tensor, outputs: torch.Tensor) -> nn.Module:
    """The final model as the grader runs it: standard layers holding the student's weights.

    Two readings are tried: the model's layers in the order it defines them, then 2.2's pattern
    (for a ``forward`` that applies its activation itself: ``torch.relu``, or one activation
    module used after every hidden layer). The first whose outputs on ``probe`` are
    ``outputs`` (what the student's model computed in the kernel) is the one graded.
    """
    reasons = []
    layers = seen.get("layers")
    for reading in (lambda: _as_written(layers, weights), lambda: _by_pattern(weights, layers)):
        try:
            model = reading()
            with torch.no_grad():
                expected = model(probe)
        except (ValueError, RuntimeError, KeyError, TypeError, IndexError, StopIteration) as error:
            reasons.append(str(error).split("\n")[0])
            continue
        if expected.shape == outputs.shape and torch.allclose(outputs.float(), expected, atol=1e-3, rtol=1e-3):
            return model
        reasons.append("its outputs are not what its layers compute in the order it defines them")
    raise AssertionError(
        f"the grader could not rebuild the final model from its layers ({reasons[0]}), so it cannot measure "
        "its test accuracy: build it from torch.nn's layers, applied in the order __init__ defines them, and "
        "write activations as layers (nn.ReLU(), nn.GELU()) rather than functions in forward"
    )


def _accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    with torch.no_grad():
        predictions = torch.cat([model(images[i : i + 1024]).argmax(dim=1) for i in range(0, len(images), 1024)])
    return (predictions == labels).double().mean().item()


@case("2.6", "the final model, trained as the notebook trains it: its test accuracy", seconds=900)
def _final_accuracy(ctx: Context) -> None:
    require(ctx.cases.get(TRAINS, True), "not trained: train_one_epoch (2.4) does not train a model correctly yet")
    images, labels = _test_set()
    order = torch.randperm(len(labels), generator=generator(262))
    probe = images[order[:512]]  # the kernel reads the same test set: it is sent the indices only
    seen = ctx.student.run(
        FINAL, device=str(ctx.device), own_evaluate=ctx.cases.get(EVALUATES, True), probe=order[:512], settings=SETTINGS
    )
    require(
        type(seen) is dict and seen.get("built") is True,
        "build_final_model should return (model, optimizer, scheduler, epochs)",
    )
    weights = state(seen["state"], "the final model's state_dict")
    weights = {k: v.float() if v.is_floating_point() else v for k, v in weights.items()}
    outputs = tensor(seen["probe"], "the final model's output")
    model = rebuild(seen, weights, probe, outputs)
    accuracy = _accuracy(model, images, labels)
    val_accuracy = _accuracy(model, *_sets()["val"])
    ctx.report["test_accuracy"] = round(accuracy, 4)
    ctx.report["val_accuracy"] = round(val_accuracy, 4)
    require(
        accuracy <= val_accuracy + TEST_SET_MARGIN,
        f"the final model does better on the test set ({accuracy:.4f}) than on the validation set "
        f"({val_accuracy:.4f}), though it was trained on neither: it is not graded (was it trained on, or built "
        "from, the test set?)",
    )
    threshold = float(ctx.settings["accuracy_threshold"])
    require(
        accuracy >= threshold,
        f"the final model's test accuracy is {accuracy:.4f}, below the {threshold} the question asks for",
    )

"""Hidden cases of question 3: other models, optimizers, schedules, seeds, accuracies and files.

Where a part is procedural (checkpoints, resuming, callbacks) the case checks behaviour:
what a saved file lets the reference (or the student's code) restore, a resumed run against
an uninterrupted one trained by the grader, the files a callback leaves behind. Every file
the student's code writes comes back as bytes and is read here with
``torch.load(weights_only=True)`` before anything else looks at it.
"""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import torch
from torch import nn

from ._compare import close, close_number, generator, kind_of, number, require, state, tensor
from ._registry import Context, case

NAME_RE = re.compile(r"^(?P<name>.+?)_\d{8}_\d{6}_epoch(?P<epoch>\d+)(?:_acc(?P<acc>\d+\.\d+))?\.pth$")

NET = """
import io, os, tempfile
from pathlib import Path
import torch
from torch import nn
def _net(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(10, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.25), nn.Linear(16, 3))
def _folder():
    return Path(tempfile.mkdtemp(prefix="hidden-"))
def _bytes(path):
    return torch.frombuffer(bytearray(Path(path).read_bytes()), dtype=torch.uint8) if Path(path).is_file() else None
"""


def _net(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(10, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.25), nn.Linear(16, 3))


def _trained(
    seed: int, steps: int = 3
) -> tuple[nn.Module, torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    model = _net(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    g = generator(seed)
    for _ in range(steps):
        x, y = torch.randn(12, 10, generator=g), torch.randint(0, 3, (12,), generator=g)
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
        scheduler.step()
    return model, optimizer, scheduler


def _fresh(seed: int) -> tuple[nn.Module, torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    model = _net(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    return model, optimizer, torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)


def _load(data: object, what: str) -> object:
    """A file the student's code wrote (bytes as a uint8 tensor), read with ``weights_only=True``."""
    require(data is not None, f"{what}: no file was written")
    raw = tensor(data, what)
    require(raw.dtype == torch.uint8 and raw.dim() == 1, f"{what}: the file could not be read")
    try:
        return torch.load(io.BytesIO(raw.numpy().tobytes()), weights_only=True, map_location="cpu")
    except Exception as error:  # noqa: BLE001 (the message says why)
        first = (str(error).strip().splitlines() or [type(error).__name__])[0][:120]
        raise AssertionError(f"{what}: the file does not load with torch.load(weights_only=True) ({first})") from None


def _same_state(a: dict, b: object, what: str) -> None:
    require(type(b) is dict, f"{what}: not a dict, got {kind_of(b)}")
    require(list(a) == list(b), f"{what}: other entries than the original's")
    for key, x in a.items():
        y = b[key]
        if isinstance(x, torch.Tensor):
            require(
                type(y) is torch.Tensor and x.shape == y.shape and torch.equal(x, y),
                f"{what}: {key} differs from the original",
            )
        elif isinstance(x, dict):
            _same_state(x, y, f"{what} {key}")
        elif key != "params":
            require(type(y) is type(x) and x == y, f"{what}: {key} differs from the original")


def _states(objects: tuple) -> list[dict]:
    return [dict(o.state_dict()) for o in objects]


# --------------------------------------------------------------------------------------- 3.1
@case("3.1", "state_dict_summary of a convolutional model with batch norm")
def _state_dict_summary(ctx: Context) -> None:
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.Flatten(), nn.Linear(12, 5))
    mine = ctx.student.state_dict_summary(model)
    require(type(mine) is dict, f"state_dict_summary should return a dict, got {kind_of(mine)}")
    require(
        mine == ctx.reference.state_dict_summary(model),
        "state_dict_summary of a Conv2d-BatchNorm2d-Linear model is wrong",
    )


RELOAD = (
    NET
    + """
def procedure(model, x):
    path = _folder() / "weights.pth"
    fresh = student.reload_weights(model, lambda: _net(32), path)
    if not isinstance(fresh, nn.Module) or fresh is model:
        return {"new": False}
    with torch.no_grad():
        out = fresh(x)
    return {"new": True, "file": _bytes(path), "state": dict(fresh.state_dict()), "training": fresh.training, "out": out}
"""
)


@case("3.1", "reload_weights of another trained model with batch norm and dropout")
def _reload_weights(ctx: Context) -> None:
    model, _, _ = _trained(31)
    x = torch.randn(7, 10, generator=generator(33))
    seen = ctx.student.run(RELOAD, model=model, x=x)
    require(seen["new"] is True, "reload_weights should return a new model built by make_model()")
    require(seen["file"] is not None, "reload_weights wrote nothing to path")
    _load(seen["file"], "the weights file")
    _same_state(model.state_dict(), state(seen["state"], "the reloaded state_dict"), "the reloaded model's state_dict")
    require(seen["training"] is False, "the reloaded model is in training mode: it must be ready to predict")
    with torch.no_grad():
        close(seen["out"], model.eval()(x), "the reloaded model's predictions", atol=0, rtol=0)


# --------------------------------------------------------------------------------------- 3.2
SAVE = (
    NET
    + """
def procedure(objects, epoch, best, scheduler):
    model, optimizer, sched = objects
    path = _folder() / "checkpoint.pth"
    student.save_checkpoint(model, optimizer, epoch, sched if scheduler else None, best, path)
    return _bytes(path)
"""
)
LOAD = (
    NET
    + """
def procedure(target, data, scheduler):
    path = _folder() / "checkpoint.pth"
    path.write_bytes(data.numpy().tobytes())
    model, optimizer, sched = target
    result = student.load_checkpoint(model, optimizer, sched if scheduler else None, path)
    return {"result": result, "states": [o.state_dict() for o in target]}
"""
)


def _check_loaded(result: object, states: object, original: list[dict], what: str) -> None:
    require(
        type(result) in (tuple, list) and len(result) == 2,
        f"{what}: load_checkpoint should return (epoch, best_accuracy)",
    )
    require(type(result[0]) is int and result[0] == 7, f"{what}: the epoch came back as {result[0]!r}")
    close_number(result[1], 0.625, f"{what}: best_accuracy")
    require(type(states) is list and len(states) == 3, f"{what}: the restored objects could not be read")
    for name, a, b in zip(("the model", "the optimizer", "the scheduler"), original, states):
        _same_state(a, b, f"{what}: {name}")


@case(
    "3.2",
    "save_checkpoint and load_checkpoint with Adam and StepLR, read back by the guide's version and the other way",
)
def _checkpoints(ctx: Context) -> None:
    folder = ctx.folder()
    objects = _trained(34)
    original = _states(objects)
    # your save_checkpoint, read by the guide's load_checkpoint (here, after a weights_only read)
    what = "your save_checkpoint read by the guide's load_checkpoint"
    data = ctx.student.run(SAVE, objects=list(objects), epoch=7, best=0.625, scheduler=True)
    _load(data, f"{what}: the checkpoint")
    path = folder / "yours.pth"
    path.write_bytes(tensor(data, "the checkpoint").numpy().tobytes())
    target = _fresh(35)
    result = ctx.reference.load_checkpoint(*target, path)
    _check_loaded(result, _states(target), original, what)
    # the guide's save_checkpoint, read by your load_checkpoint
    what = "the guide's save_checkpoint read by your load_checkpoint"
    path = folder / "guide.pth"
    ctx.reference.save_checkpoint(*objects[:2], 7, objects[2], 0.625, path)
    guide = torch.frombuffer(bytearray(path.read_bytes()), dtype=torch.uint8)
    seen = ctx.student.run(LOAD, target=list(_fresh(35)), data=guide, scheduler=True)
    _check_loaded(seen["result"], seen["states"], original, what)
    # your own round trip
    what = "your own round trip"
    seen = ctx.student.run(LOAD, target=list(_fresh(35)), data=data, scheduler=True)
    _check_loaded(seen["result"], seen["states"], original, what)
    # without a scheduler
    data = ctx.student.run(SAVE, objects=list(objects), epoch=3, best=0.5, scheduler=False)
    seen = ctx.student.run(LOAD, target=list(_fresh(36)), data=tensor(data, "the checkpoint"), scheduler=False)
    result = seen["result"]
    require(
        type(result) in (tuple, list) and len(result) == 2 and result[0] == 3,
        "a checkpoint saved without a scheduler does not load back",
    )


# --------------------------------------------------------------------------------------- 3.3
RESUME = (
    NET
    + """
def procedure(n_epochs, resume_at, run_seed):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the grader trains the uninterrupted run: the same arithmetic, bit for bit
    try:
        return _resume(n_epochs, resume_at, run_seed)
    finally:
        torch.set_num_threads(threads)
def _resume(n_epochs, resume_at, seed):
    run = student.new_run(seed)
    student.train_epochs(run, 0, resume_at)
    path = _folder() / f"state{seed}.pth"
    student.save_training_state(path, run, resume_at)
    del run
    torch.manual_seed(12345)  # whatever a new process draws before rebuilding
    run = student.new_run(seed)
    epoch = student.load_training_state(path, run)
    if type(epoch) is not int:
        return {"epoch": epoch}
    student.train_epochs(run, epoch, n_epochs)
    return {"epoch": epoch, "file": _bytes(path), "state": dict(run.model.state_dict())}
"""
)


@case(
    "3.3", "resuming after epoch 1 of 3 and after epoch 3 of 5, runs seeded 11 and 12", uses=("new_run", "train_epochs")
)
def _resume(ctx: Context) -> None:
    new_run, train_epochs = ctx.reference.new_run, ctx.reference.train_epochs
    for n_epochs, resume_at, seed in ((3, 1, 11), (5, 3, 12)):
        seen = ctx.student.run(RESUME, n_epochs=n_epochs, resume_at=resume_at, run_seed=seed)
        epoch = seen["epoch"]
        require(
            epoch == resume_at and type(epoch) is int,
            f"load_training_state returned {epoch!r} after saving at epoch {resume_at}",
        )
        _load(seen["file"], "the training state file")
        resumed = state(seen["state"], "the resumed model's state_dict")
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            straight = new_run(seed)  # the uninterrupted run, trained here with the guide's code
            train_epochs(straight, 0, n_epochs)
        finally:
            torch.set_num_threads(threads)
        expected = straight.model.state_dict()
        require(list(resumed) == list(expected), "the resumed model has other entries than the uninterrupted run's")
        for name, b in expected.items():
            close(
                resumed[name].float() if resumed[name].is_floating_point() else resumed[name],
                b.float() if b.is_floating_point() else b,
                f"resumed after epoch {resume_at} of {n_epochs} (seed {seed}): {name}, against the uninterrupted run",
                atol=1e-6,
                rtol=0,
            )


# --------------------------------------------------------------------------------------- 3.4
def _names(names: list[str]) -> list[tuple[str, int, str | None]]:
    found = []
    for name in sorted(names):
        match = NAME_RE.match(name)
        found.append((match["name"], int(match["epoch"]), match["acc"]) if match else (name, -1, None))
    return sorted(found)


ACCURACIES = [0.41, 0.65, 0.6, 0.8, 0.8, 0.55, 0.9]
CALLBACK = (
    NET
    + """
from utils import EpochStats
from types import SimpleNamespace
def procedure(objects, accuracies):
    model, optimizer, scheduler = objects
    run = SimpleNamespace(model=model, optimizer=optimizer, scheduler=scheduler)
    folder = _folder()
    callback = student.make_checkpoint_callback(folder, "net", run, 3)
    seen = []
    for epoch, accuracy in enumerate(accuracies, start=1):
        callback(EpochStats(epoch, 1 / epoch, accuracy, 1 / epoch, accuracy, 0.1, 0.01))
        seen.append(sorted(p.name for p in folder.iterdir()))
    return {"names": seen, "files": [_bytes(p) for p in sorted(folder.iterdir()) if p.suffix == ".pth"]}
"""
)


@case("3.4", "the checkpoint callback over seven epochs with a tie, every 3 epochs")
def _callback(ctx: Context) -> None:
    from utils import EpochStats

    objects = _trained(37)
    seen = ctx.student.run(CALLBACK, objects=list(objects), accuracies=ACCURACIES)
    folder = ctx.folder()
    run = SimpleNamespace(model=objects[0], optimizer=objects[1], scheduler=objects[2])
    callback = ctx.reference.make_checkpoint_callback(folder, "net", run, 3)
    names = seen["names"]
    require(type(names) is list and len(names) == len(ACCURACIES), "the callback could not be observed")
    for epoch, (accuracy, mine) in enumerate(zip(ACCURACIES, names), start=1):
        callback(EpochStats(epoch, 1 / epoch, accuracy, 1 / epoch, accuracy, 0.1, 0.01))
        require(type(mine) is list and all(type(n) is str for n in mine), "the callback's folder could not be read")
        mine, expected = _names(mine), _names([p.name for p in folder.iterdir()])
        require(
            mine == expected,
            f"after epoch {epoch} (val_acc {accuracy}) the folder holds {[f'{n} epoch {e}' for n, e, _ in mine]}, not the expected files",
        )
    for index, data in enumerate(seen["files"]):
        _load(data, f"checkpoint file {index + 1} of the callback")


LIST_NAMES = (
    "net_20250101_000000_epoch3_acc91.25.pth",
    "net_20250101_000000_epoch1_acc7.50.pth",
    "cnn-best_20250102_101010_epoch12_acc93.00.pth",
    "other_acc88.pth",
    "plain.pth",
    "notes_acc99.00.txt",
    "model_acc.pth",
)
LIST = (
    NET
    + """
def procedure(names):
    folder = _folder()
    for name in names:
        (folder / name).write_bytes(b"")
    mine = student.list_checkpoints(folder)
    if not isinstance(mine, list):
        return {"list": False, "type": type(mine).__name__}
    if not all(isinstance(i, (tuple, list)) and len(i) == 2 for i in mine):
        return {"list": True, "got": None}
    return {"list": True, "got": [(Path(p).name, float(a)) for p, a in mine]}
"""
)


@case("3.4", "list_checkpoints of a folder with other names, accuracies and extensions")
def _list_checkpoints(ctx: Context) -> None:
    folder = ctx.folder()
    for name in LIST_NAMES:
        (folder / name).write_bytes(b"")
    seen = ctx.student.run(LIST, names=list(LIST_NAMES))
    require(seen["list"] is True, f"list_checkpoints should return a list, got {seen.get('type')}")
    got = seen["got"]
    expected = [(p.name, a) for p, a in ctx.reference.list_checkpoints(folder)]
    mine = [tuple(item) for item in got] if type(got) is list else None
    require(mine == expected, f"list_checkpoints returned {got}, not the expected files and order")


# --------------------------------------------------------------------------------------- 3.5
@case("3.5", "clip_with_cond on batches below and above limits 2.5 and 40")
def _clip_with_cond(ctx: Context) -> None:
    g = generator(351)
    for limit in (2.5, 40.0):
        for scale in (0.01, 30.0):
            h = torch.randn(5, 4, generator=g) * scale
            close(
                tensor(ctx.student.clip_with_cond(h.clone(), limit), "clip_with_cond"),
                ctx.reference.clip_with_cond(h.clone(), limit),
                f"clip_with_cond(h of norm {h.norm():.3g}, {limit})",
                atol=1e-5,
            )


CLIPPED = """
import torch
from torch import nn
class Clipped(nn.Module):
    def __init__(self, limit):
        super().__init__()
        self.linear = nn.Linear(8, 4)
        self.limit = limit
    def forward(self, x):
        h = self.linear(x)
        return h * torch.clamp(self.limit / h.norm(), max=1.0)
"""
EXPORT = (
    NET
    + CLIPPED
    + """
def procedure(weights, example, inputs):
    model = Clipped(3.0)
    model.load_state_dict(weights)
    path = _folder() / "model.pt2"
    loaded = student.export_and_reload(model.eval(), example, path)
    outputs = []
    with torch.no_grad():
        for x in inputs:
            outputs.append(loaded(x))
    return {"file": path.is_file(), "outputs": outputs}
"""
)


@case("3.5", "export_and_reload of another value-dependent module (limit 3), called on batches of 2 and 9", seconds=300)
def _export(ctx: Context) -> None:
    scope: dict = {}
    exec(compile(CLIPPED, "<clipped>", "exec"), scope)  # noqa: S102 (this module's own class)
    torch.manual_seed(35)
    model = scope["Clipped"](3.0).eval()
    g = generator(352)
    example = 10 * torch.randn(6, 8, generator=g)
    inputs = [0.05 * torch.randn(2, 8, generator=g), 10 * torch.randn(9, 8, generator=g)]
    seen = ctx.student.run(EXPORT, weights=dict(model.state_dict()), example=example, inputs=inputs)
    require(seen["file"] is True, "export_and_reload wrote nothing to path")
    outputs = seen["outputs"]
    require(type(outputs) is list and len(outputs) == 2, "the reloaded program could not be run")
    for x, out in zip(inputs, outputs):
        with torch.no_grad():
            close(
                tensor(out, "the loaded module's output"),
                model(x),
                f"the reloaded program on a batch of {len(x)}",
                atol=1e-5,
            )


# --------------------------------------------------------------------------------------- 3.6
GRAPH = """
import torch
def graph():
    a = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    c = (a * b).exp()
    return (c + a).sum() * c.mean() - a.pow(2).sum()
def procedure():
    return {"names": student.graph_node_names(graph()), "none": student.graph_node_names(torch.ones(2))}
"""


@case("3.6", "graph_node_names of another graph (a leaf used three times) and of a tensor without history")
def _graph(ctx: Context) -> None:
    seen = ctx.student.run(GRAPH, seed=36)
    scope: dict = {}
    exec(compile(GRAPH, "<graph>", "exec"), scope)  # noqa: S102 (this module's own function)
    torch.manual_seed(36)
    expected = ctx.reference.graph_node_names(scope["graph"]())
    mine = seen["names"]
    require(type(mine) is list, f"graph_node_names should return a list, got {kind_of(mine)}")
    require(all(type(n) is str for n in mine), "graph_node_names should return the nodes' names (strings)")
    require(mine[:1] == expected[:1], "graph_node_names should list the root node first")
    require(
        sorted(mine) == sorted(expected),
        f"graph_node_names found {len(mine)} nodes: each node once, every node reachable",
    )
    require(seen["none"] == [], "graph_node_names of a tensor without grad_fn should be []")


STATS_MODEL = """
import torch
from torch import nn
class _Boom(nn.Module):
    def forward(self, x):
        raise RuntimeError("a layer failing on purpose")
def model():
    torch.manual_seed(36)
    m = nn.Module()
    m.layers = nn.Sequential(nn.Linear(6, 40), nn.ReLU(), nn.Dropout(0.3), nn.Linear(40, 30), nn.Tanh())
    m.forward = m.layers.forward
    return m.eval()
def failing():
    f = nn.Module()
    f.layers = nn.ModuleList([nn.Linear(6, 4), _Boom()])
    f.forward = lambda x: f.layers[1](f.layers[0](x))
    return f
"""
STATS = (
    STATS_MODEL
    + """
def procedure(inputs):
    m = model()
    stats = student.record_activation_stats(m, inputs)
    seen = {"stats": stats, "hooks": sum(len(x._forward_hooks) for x in m.modules())}
    f = failing()
    try:
        student.record_activation_stats(f, inputs)
    except RuntimeError:
        pass
    seen["failing_hooks"] = sum(len(x._forward_hooks) for x in f.modules())
    return seen
"""
)


@case("3.6", "record_activation_stats of another model, and of one whose forward pass fails")
def _activation_stats(ctx: Context) -> None:
    inputs = torch.randn(200, 6, generator=generator(361))
    seen = ctx.student.run(STATS, inputs=inputs)
    scope: dict = {}
    exec(compile(STATS_MODEL, "<stats>", "exec"), scope)  # noqa: S102 (this module's own models)
    expected = ctx.reference.record_activation_stats(scope["model"](), inputs)
    mine = seen["stats"]
    require(
        type(mine) is dict and sorted(mine) == sorted(expected),
        f"record_activation_stats returned keys {sorted(mine) if type(mine) is dict else kind_of(mine)}",
    )
    for name, stats in expected.items():
        for key, value in stats.items():
            close_number(
                mine[name].get(key) if type(mine[name]) is dict else None,
                value,
                f"{key} of {name}",
                rel=1e-3,
                abs_=1e-6,
            )
    require(seen["hooks"] == 0, "record_activation_stats left hooks on the model")
    require(
        seen["failing_hooks"] == 0,
        "when the forward pass raises, record_activation_stats leaves its hooks on the model (remove them in a finally block)",
    )


SCALED = """
import torch
def procedure(x):
    layer = student.ScaledLinear(5, 3)
    names = dict(layer.named_parameters())
    seen = {"names": sorted(names), "in_state": "scale" in layer.state_dict()}
    if "scale" not in names:
        return seen
    seen["start"] = names["scale"].detach().clone()
    seen["parameters"] = {k: v.detach().clone() for k, v in names.items()}
    seen["out"] = layer(x).detach()
    sgd = torch.optim.SGD(layer.parameters(), lr=0.1)
    layer(x).pow(2).sum().backward()
    sgd.step()
    seen["after"] = names["scale"].detach().clone()
    return seen
"""


@case("3.6", "ScaledLinear(5, 3): a learned scale of ones, saved and trained")
def _scaled_linear(ctx: Context) -> None:
    x = torch.randn(4, 5, generator=generator(371))
    seen = ctx.student.run(SCALED, x=x, seed=37)
    require("scale" in seen["names"], "ScaledLinear's scale is not among its parameters")
    start = tensor(seen["start"], "ScaledLinear's scale")
    require(
        tuple(start.shape) == (3,) and torch.equal(start, torch.ones(3)),
        "ScaledLinear's scale should start as ones of shape (n_out,)",
    )
    require(seen["in_state"] is True, "ScaledLinear's scale is not in its state_dict")
    parameters = state(seen["parameters"], "ScaledLinear's parameters")
    weight, bias = parameters.get("linear.weight"), parameters.get("linear.bias")
    require(weight is not None and bias is not None, "ScaledLinear should hold its nn.Linear as self.linear")
    close(seen["out"], nn.functional.linear(x, weight, bias) * start, "ScaledLinear's output", atol=1e-6)
    require(
        not torch.equal(tensor(seen["after"], "the trained scale"), torch.ones(3)),
        "one SGD step left ScaledLinear's scale unchanged: it is not trained",
    )
    number(float(start.sum()), "the scale")

"""Hidden cases of question 3: other models, optimizers, schedules, seeds, accuracies and files.

Where a part is procedural (checkpoints, resuming, callbacks) the case checks behaviour:
what a saved file lets the reference (or the student's code) restore, a resumed run against
an uninterrupted one, the files a callback leaves behind.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from types import SimpleNamespace

import torch
from torch import nn

from ._compare import close, close_number, generator, require, tensor
from ._registry import Context, case

NAME_RE = re.compile(r"^(?P<name>.+?)_\d{8}_\d{6}_epoch(?P<epoch>\d+)(?:_acc(?P<acc>\d+\.\d+))?\.pth$")


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


def _same_state(a: dict, b: dict, what: str) -> None:
    require(list(a) == list(b), f"{what}: other entries than the original's")
    for key, x in a.items():
        y = b[key]
        if isinstance(x, torch.Tensor):
            require(isinstance(y, torch.Tensor) and torch.equal(x, y), f"{what}: {key} differs from the original")
        elif isinstance(x, dict):
            _same_state(x, y, f"{what} {key}")
        elif key != "params":
            require(x == y, f"{what}: {key} differs from the original")


# --------------------------------------------------------------------------------------- 3.1
@case("3.1", "state_dict_summary of a convolutional model with batch norm")
def _state_dict_summary(ctx: Context) -> None:
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.Flatten(), nn.Linear(12, 5))
    mine = ctx.student.state_dict_summary(model)
    require(isinstance(mine, dict), f"state_dict_summary should return a dict, got {type(mine).__name__}")
    require(
        mine == ctx.reference.state_dict_summary(model),
        "state_dict_summary of a Conv2d-BatchNorm2d-Linear model is wrong",
    )


@case("3.1", "reload_weights of another trained model with batch norm and dropout")
def _reload_weights(ctx: Context) -> None:
    model, _, _ = _trained(31)
    path = ctx.folder() / "weights.pth"
    fresh = ctx.student.reload_weights(model, lambda: _net(32), path)
    require(
        isinstance(fresh, nn.Module) and fresh is not model,
        "reload_weights should return a new model built by make_model()",
    )
    require(path.is_file(), "reload_weights wrote nothing to path")
    torch.load(path, weights_only=True)
    _same_state(model.state_dict(), fresh.state_dict(), "the reloaded model's state_dict")
    require(not fresh.training, "the reloaded model is in training mode: it must be ready to predict")
    x = torch.randn(7, 10, generator=generator(33))
    with torch.no_grad():
        close(fresh(x), model.eval()(x), "the reloaded model's predictions", atol=0, rtol=0)


# --------------------------------------------------------------------------------------- 3.2
@case(
    "3.2",
    "save_checkpoint and load_checkpoint with Adam and StepLR, read back by the guide's version and the other way",
)
def _checkpoints(ctx: Context) -> None:
    folder = ctx.folder()
    model, optimizer, scheduler = _trained(34)
    pairs = (
        (
            "your save_checkpoint read by the guide's load_checkpoint",
            ctx.student.save_checkpoint,
            ctx.reference.load_checkpoint,
        ),
        (
            "the guide's save_checkpoint read by your load_checkpoint",
            ctx.reference.save_checkpoint,
            ctx.student.load_checkpoint,
        ),
        ("your own round trip", ctx.student.save_checkpoint, ctx.student.load_checkpoint),
    )
    for index, (what, save, load) in enumerate(pairs):
        path = folder / f"checkpoint{index}.pth"
        save(model, optimizer, 7, scheduler, 0.625, path)
        target = _fresh(35)
        result = load(target[0], target[1], target[2], path)
        require(
            isinstance(result, (tuple, list)) and len(result) == 2,
            f"{what}: load_checkpoint should return (epoch, best_accuracy)",
        )
        require(result[0] == 7, f"{what}: the epoch came back as {result[0]!r}")
        close_number(result[1], 0.625, f"{what}: best_accuracy")
        _same_state(model.state_dict(), target[0].state_dict(), f"{what}: the model")
        _same_state(optimizer.state_dict(), target[1].state_dict(), f"{what}: the optimizer")
        _same_state(scheduler.state_dict(), target[2].state_dict(), f"{what}: the scheduler")
    path = folder / "no_scheduler.pth"
    ctx.student.save_checkpoint(model, optimizer, 3, None, 0.5, path)
    target = _fresh(36)
    result = ctx.student.load_checkpoint(target[0], target[1], None, path)
    require(
        isinstance(result, (tuple, list)) and result[0] == 3,
        "a checkpoint saved without a scheduler does not load back",
    )


# --------------------------------------------------------------------------------------- 3.3
@case(
    "3.3", "resuming after epoch 1 of 3 and after epoch 3 of 5, runs seeded 11 and 12", uses=("new_run", "train_epochs")
)
def _resume(ctx: Context) -> None:
    new_run, train_epochs = ctx.namespace["new_run"], ctx.namespace["train_epochs"]
    folder = ctx.folder()
    for n_epochs, resume_at, seed in ((3, 1, 11), (5, 3, 12)):
        straight = new_run(seed)
        train_epochs(straight, 0, n_epochs)
        run = new_run(seed)
        train_epochs(run, 0, resume_at)
        path = folder / f"state{seed}.pth"
        ctx.student.save_training_state(path, run, resume_at)
        del run
        torch.manual_seed(12345)  # whatever a new process draws before rebuilding
        run = new_run(seed)
        epoch = ctx.student.load_training_state(path, run)
        require(epoch == resume_at, f"load_training_state returned {epoch!r} after saving at epoch {resume_at}")
        train_epochs(run, epoch, n_epochs)
        exact = next(straight.model.parameters()).device.type == "cpu"
        for (name, a), b in zip(run.model.state_dict().items(), straight.model.state_dict().values()):
            if exact:
                require(
                    torch.equal(a, b),
                    f"resumed after epoch {resume_at} of {n_epochs} (seed {seed}): {name} is not identical to the uninterrupted run's",
                )
            else:
                close(
                    a.float(), b.float(), f"resumed after epoch {resume_at} of {n_epochs}: {name}", atol=1e-4, rtol=1e-4
                )


# --------------------------------------------------------------------------------------- 3.4
def _names(folder: Path) -> list[tuple[str, int, str | None]]:
    found = []
    for path in sorted(folder.iterdir()):
        match = NAME_RE.match(path.name)
        found.append((match["name"], int(match["epoch"]), match["acc"]) if match else (path.name, -1, None))
    return sorted(found)


@case("3.4", "the checkpoint callback over seven epochs with a tie, every 3 epochs")
def _callback(ctx: Context) -> None:
    from utils import EpochStats

    model, optimizer, scheduler = _trained(37)
    run = SimpleNamespace(model=model, optimizer=optimizer, scheduler=scheduler)
    folders = [ctx.folder(), ctx.folder()]
    callbacks = [
        f(folder, "net", run, 3)
        for f, folder in zip((ctx.student.make_checkpoint_callback, ctx.reference.make_checkpoint_callback), folders)
    ]
    for epoch, accuracy in enumerate([0.41, 0.65, 0.6, 0.8, 0.8, 0.55, 0.9], start=1):
        stats = EpochStats(epoch, 1 / epoch, accuracy, 1 / epoch, accuracy, 0.1, 0.01)
        for callback in callbacks:
            callback(stats)
        mine, expected = _names(folders[0]), _names(folders[1])
        require(
            mine == expected,
            f"after epoch {epoch} (val_acc {accuracy}) the folder holds {[f'{n} epoch {e}' for n, e, _ in mine]}, not the expected files",
        )


@case("3.4", "list_checkpoints of a folder with other names, accuracies and extensions")
def _list_checkpoints(ctx: Context) -> None:
    folder = ctx.folder()
    for name in (
        "net_20250101_000000_epoch3_acc91.25.pth",
        "net_20250101_000000_epoch1_acc7.50.pth",
        "cnn-best_20250102_101010_epoch12_acc93.00.pth",
        "other_acc88.pth",
        "plain.pth",
        "notes_acc99.00.txt",
        "model_acc.pth",
    ):
        (folder / name).write_bytes(b"")
    mine = ctx.student.list_checkpoints(folder)
    expected = ctx.reference.list_checkpoints(folder)
    require(isinstance(mine, list), f"list_checkpoints should return a list, got {type(mine).__name__}")
    got = (
        [(Path(p).name, float(a)) for p, a in mine]
        if all(isinstance(i, (tuple, list)) and len(i) == 2 for i in mine)
        else None
    )
    require(
        got == [(p.name, a) for p, a in expected], f"list_checkpoints returned {got}, not the expected files and order"
    )


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


@case(
    "3.5",
    "export_and_reload of another ClipNormCond (limit 3), called on batches of 2 and 9",
    uses=("ClipNorm",),
    seconds=300,
)
def _export(ctx: Context) -> None:
    torch.manual_seed(35)
    model = ctx.reference.ClipNormCond(limit=3.0).eval()
    g = generator(352)
    example = 10 * torch.randn(6, 8, generator=g)
    path = ctx.folder() / "model.pt2"
    loaded = ctx.student.export_and_reload(copy.deepcopy(model), example, path)
    require(path.is_file(), "export_and_reload wrote nothing to path")
    for x in (0.05 * torch.randn(2, 8, generator=g), 10 * torch.randn(9, 8, generator=g)):
        with torch.no_grad():
            close(
                tensor(loaded(x), "the loaded module's output"),
                model(x),
                f"the reloaded program on a batch of {len(x)}",
                atol=1e-5,
            )


# --------------------------------------------------------------------------------------- 3.6
@case("3.6", "graph_node_names of another graph (a leaf used three times) and of a tensor without history")
def _graph(ctx: Context) -> None:
    a = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    c = (a * b).exp()
    d = (c + a).sum() * c.mean() - a.pow(2).sum()
    mine, expected = ctx.student.graph_node_names(d), ctx.reference.graph_node_names(d)
    require(isinstance(mine, list), f"graph_node_names should return a list, got {type(mine).__name__}")
    require(mine[:1] == expected[:1], "graph_node_names should list the root node first")
    require(
        sorted(map(str, mine)) == sorted(expected),
        f"graph_node_names found {len(mine)} nodes: each node once, every node reachable",
    )
    require(
        ctx.student.graph_node_names(torch.ones(2)) == [], "graph_node_names of a tensor without grad_fn should be []"
    )


class _Boom(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise RuntimeError("a layer failing on purpose")


@case("3.6", "record_activation_stats of another model, and of one whose forward pass fails")
def _activation_stats(ctx: Context) -> None:
    torch.manual_seed(36)
    model = nn.Module()
    model.layers = nn.Sequential(nn.Linear(6, 40), nn.ReLU(), nn.Dropout(0.3), nn.Linear(40, 30), nn.Tanh())
    model.forward = model.layers.forward
    model.eval()
    inputs = torch.randn(200, 6, generator=generator(361))
    mine, expected = (
        ctx.student.record_activation_stats(model, inputs),
        ctx.reference.record_activation_stats(model, inputs),
    )
    require(
        isinstance(mine, dict) and sorted(mine) == sorted(expected),
        f"record_activation_stats returned keys {sorted(mine) if isinstance(mine, dict) else mine!r}",
    )
    for name, stats in expected.items():
        for key, value in stats.items():
            close_number(
                mine[name].get(key) if isinstance(mine[name], dict) else None,
                value,
                f"{key} of {name}",
                rel=1e-3,
                abs_=1e-6,
            )
    require(sum(len(m._forward_hooks) for m in model.modules()) == 0, "record_activation_stats left hooks on the model")
    failing = nn.Module()
    failing.layers = nn.ModuleList([nn.Linear(6, 4), _Boom()])
    failing.forward = lambda x: failing.layers[1](failing.layers[0](x))
    try:
        ctx.student.record_activation_stats(failing, inputs)
    except RuntimeError:
        pass
    require(
        sum(len(m._forward_hooks) for m in failing.modules()) == 0,
        "when the forward pass raises, record_activation_stats leaves its hooks on the model (remove them in a finally block)",
    )


@case("3.6", "ScaledLinear(5, 3): a learned scale of ones, saved and trained")
def _scaled_linear(ctx: Context) -> None:
    torch.manual_seed(37)
    layer = ctx.student.ScaledLinear(5, 3)
    names = dict(layer.named_parameters())
    require("scale" in names, "ScaledLinear's scale is not among its parameters")
    require(
        tuple(names["scale"].shape) == (3,) and torch.equal(names["scale"].detach(), torch.ones(3)),
        "ScaledLinear's scale should start as ones of shape (n_out,)",
    )
    require("scale" in layer.state_dict(), "ScaledLinear's scale is not in its state_dict")
    x = torch.randn(4, 5, generator=generator(371))
    close(layer(x).detach(), layer.linear(x).detach() * names["scale"].detach(), "ScaledLinear's output", atol=1e-6)
    sgd = torch.optim.SGD(layer.parameters(), lr=0.1)
    layer(x).pow(2).sum().backward()
    sgd.step()
    require(
        not torch.equal(names["scale"].detach(), torch.ones(3)),
        "one SGD step left ScaledLinear's scale unchanged: it is not trained",
    )

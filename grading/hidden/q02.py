"""Hidden cases of question 2: other images, other layer sizes, other loaders and epochs, and the final model.

The final model is trained once, as the notebook's final cells train it (``seed_everything(0)``,
``build_final_model(device)``, ``utils.fit`` with the student's loop, batches of 256 from
``utils.tensor_loaders``), and its test accuracy is measured by the grader itself
(``utils.predict``), not by the student's ``evaluate``.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ._compare import close, close_number, generator, require, tensor
from ._registry import Context, case


# --------------------------------------------------------------------------------------- 2.1
@case("2.1", "pixel_mean_std on 64 images of another brightness distribution")
def _pixel_mean_std(ctx: Context) -> None:
    images = torch.randint(0, 256, (64, 28, 28), dtype=torch.uint8, generator=generator(211))
    images[:40] = images[:40] // 3 + 100
    before = images.clone()
    mine = ctx.student.pixel_mean_std(images)
    require(isinstance(mine, (tuple, list)) and len(mine) == 2, "pixel_mean_std should return a pair (mean, std)")
    require(torch.equal(images, before), "pixel_mean_std changed the images")
    theirs = ctx.reference.pixel_mean_std(before)
    close_number(mine[0], theirs[0], "the mean of these images", rel=1e-4)
    close_number(mine[1], theirs[1], "the standard deviation of these images", rel=1e-4)


@case("2.1", "make_transform(0.42, 0.21) on another image")
def _make_transform(ctx: Context) -> None:
    pixels = np.random.default_rng(212).integers(0, 256, size=(28, 28), dtype=np.uint8)
    out = ctx.student.make_transform(0.42, 0.21)(Image.fromarray(pixels))
    close(
        tensor(out, "the transform's output"),
        ctx.reference.make_transform(0.42, 0.21)(Image.fromarray(pixels)),
        "make_transform(0.42, 0.21) of an image",
        atol=1e-5,
    )


# --------------------------------------------------------------------------------------- 2.2
def _same_network(mine: nn.Module, theirs: nn.Module, inputs: list[torch.Tensor], what: str) -> None:
    """Copy ``theirs``'s weights into ``mine`` layer by layer, then compare outputs in eval mode."""
    require(isinstance(mine, nn.Module), f"{what} should be an nn.Module, got {type(mine).__name__}")
    count = sum(p.numel() for p in mine.parameters())
    expected = sum(p.numel() for p in theirs.parameters())
    require(count == expected, f"{what} has {count} parameters, expected {expected}")
    drops = [m.p for m in mine.modules() if isinstance(m, nn.Dropout)]
    require(drops == [m.p for m in theirs.modules() if isinstance(m, nn.Dropout)], f"{what} has dropout layers {drops}")
    with torch.no_grad():
        for kind in (nn.Linear, nn.BatchNorm1d):
            a = [m for m in mine.modules() if isinstance(m, kind)]
            b = [m for m in theirs.modules() if isinstance(m, kind)]
            require(len(a) == len(b), f"{what} has {len(a)} {kind.__name__} layers, expected {len(b)}")
            for index, (x, y) in enumerate(zip(a, b)):
                if kind is nn.BatchNorm1d:  # statistics that make a wrong order visible
                    y.running_mean.normal_(0, 0.5, generator=generator(220 + index))
                    y.running_var.uniform_(0.5, 2.0, generator=generator(230 + index))
                    y.weight.uniform_(-1.5, 1.5, generator=generator(240 + index))
                    y.bias.normal_(0, 0.5, generator=generator(250 + index))
                shapes = [tuple(t.shape) for t in x.state_dict().values()]
                require(
                    shapes == [tuple(t.shape) for t in y.state_dict().values()],
                    f"{kind.__name__} layer {index} of {what} has other shapes",
                )
                x.load_state_dict(y.state_dict())
        mine.eval()
        theirs.eval()
        for x in inputs:
            close(
                tensor(mine(x), f"{what}'s output"),
                theirs(x),
                f"{what} on an input of shape {tuple(x.shape)} (eval mode)",
                atol=1e-5,
            )


@case("2.2", "MLP(30, [17, 9], 4, dropout=0.3, batch_norm=True) and MLP(12, [5], 3)")
def _mlp(ctx: Context) -> None:
    g = generator(221)
    for args, kwargs, shapes in (
        ((30, [17, 9], 4), {"dropout": 0.3, "batch_norm": True}, [(6, 30), (6, 1, 5, 6)]),
        ((12, [5], 3), {}, [(4, 12), (4, 1, 3, 4)]),
    ):
        torch.manual_seed(7)
        mine = ctx.student.MLP(*args, **kwargs)
        theirs = ctx.reference.MLP(*args, **kwargs)
        call = f"MLP{args}" if not kwargs else f"MLP{args[:-1] + (args[-1],)} with {kwargs}"
        _same_network(mine, theirs, [torch.randn(*s, generator=g) for s in shapes], call)


@case("2.2", "make_sequential(12, [8, 6, 5], 3)")
def _sequential(ctx: Context) -> None:
    mine = ctx.student.make_sequential(12, [8, 6, 5], 3)
    require(
        isinstance(mine, nn.Sequential), f"make_sequential should return an nn.Sequential, got {type(mine).__name__}"
    )
    inputs = [torch.randn(5, 1, 3, 4, generator=generator(222))]
    _same_network(mine, ctx.reference.make_sequential(12, [8, 6, 5], 3), inputs, "make_sequential(12, [8, 6, 5], 3)")


# --------------------------------------------------------------------------------------- 2.3
@case("2.3", "make_criterion on (9, 10) logits; predict_proba of a model with dropout left in training mode")
def _loss(ctx: Context) -> None:
    g = generator(231)
    logits, targets = torch.randn(9, 10, generator=g) * 3, torch.randint(0, 10, (9,), generator=g)
    close(
        tensor(ctx.student.make_criterion()(logits, targets), "the criterion's value"),
        ctx.reference.make_criterion()(logits, targets),
        "the loss of (9, 10) logits",
        atol=1e-6,
    )
    torch.manual_seed(8)
    model = nn.Sequential(nn.Flatten(), nn.Linear(20, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 10)).train()
    images = torch.randn(5, 1, 4, 5, generator=g)
    mine = ctx.student.predict_proba(copy.deepcopy(model).train(), images)
    close(
        tensor(mine, "predict_proba").detach(),
        ctx.reference.predict_proba(copy.deepcopy(model).train(), images),
        "predict_proba of a model with dropout",
        atol=1e-6,
    )


# --------------------------------------------------------------------------------------- 2.4
def _loader(seed: int, batch_size: int, classes: int = 4) -> DataLoader:
    g = generator(seed)
    inputs, labels = torch.randn(203, 1, 4, 5, generator=g), torch.randint(0, classes, (203,), generator=g)
    return DataLoader(TensorDataset(inputs, labels), batch_size=batch_size, shuffle=False)


def _pair(result: object, name: str) -> tuple[float, float]:
    require(isinstance(result, (tuple, list)) and len(result) == 2, f"{name} should return (mean loss, accuracy)")
    values = []
    for value in result:
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        require(isinstance(value, (int, float)), f"{name} should return two numbers, got {type(value).__name__}")
        values.append(float(value))
    return values[0], values[1]


@case("2.4", "train_one_epoch for two epochs on 203 other samples (batches of 32), starting in eval mode")
def _train_one_epoch(ctx: Context) -> None:
    torch.manual_seed(9)
    model = nn.Sequential(nn.Flatten(), nn.Linear(20, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 4))
    models = [model, copy.deepcopy(model)]
    optimizers = [torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9) for m in models]
    loader, criterion, cpu = _loader(241, 32), nn.CrossEntropyLoss(), torch.device("cpu")
    for epoch in (1, 2):
        results = []
        for fn, m, opt in zip((ctx.student.train_one_epoch, ctx.reference.train_one_epoch), models, optimizers):
            m.eval()
            results.append(_pair(fn(m, loader, criterion, opt, cpu), "train_one_epoch"))
        (loss, acc), (ref_loss, ref_acc) = results
        require(
            abs(loss - ref_loss) <= 1e-4 * max(1.0, abs(ref_loss)),
            f"epoch {epoch}: train_one_epoch returned mean loss {loss:.5f}, not the expected value",
        )
        require(
            abs(acc - ref_acc) <= 1e-6,
            f"epoch {epoch}: train_one_epoch returned accuracy {acc:.5f}, not the expected value",
        )
    for (name, a), b in zip(models[0].state_dict().items(), models[1].state_dict().values()):
        close(a.float(), b.float(), f"the model's {name} after two epochs", atol=1e-4, rtol=1e-4)


@case("2.4", "evaluate on 203 other samples (batches of 50) with a model left in training mode")
def _evaluate(ctx: Context) -> None:
    torch.manual_seed(10)
    model = nn.Sequential(nn.Flatten(), nn.Linear(20, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 5))
    loader, criterion, cpu = _loader(242, 50, classes=5), nn.CrossEntropyLoss(), torch.device("cpu")
    first = _pair(ctx.student.evaluate(model.train(), loader, criterion, cpu), "evaluate")
    second = _pair(ctx.student.evaluate(model.train(), loader, criterion, cpu), "evaluate")
    expected = _pair(ctx.reference.evaluate(copy.deepcopy(model).train(), loader, criterion, cpu), "the reference")
    require(first == second, "evaluate gave two different answers for the same model and data")
    require(
        abs(first[0] - expected[0]) <= 1e-5 * max(1.0, expected[0]),
        f"evaluate returned mean loss {first[0]:.5f}, not the expected value",
    )
    require(abs(first[1] - expected[1]) <= 1e-6, f"evaluate returned accuracy {first[1]:.5f}, not the expected value")


# --------------------------------------------------------------------------------------- 2.5
@case("2.5", "make_optimizer on another model; its type, learning rate and momentum")
def _make_optimizer(ctx: Context) -> None:
    torch.manual_seed(11)
    model = nn.Sequential(nn.Linear(9, 7), nn.ReLU(), nn.Linear(7, 2))
    for name in ("sgd", "adam"):
        mine, theirs = ctx.student.make_optimizer(model, name), ctx.reference.make_optimizer(model, name)
        require(
            isinstance(mine, torch.optim.Optimizer), f"make_optimizer(model, {name!r}) returned {type(mine).__name__}"
        )
        allowed = (torch.optim.Adam, torch.optim.AdamW) if name == "adam" else (type(theirs),)
        require(isinstance(mine, allowed), f"make_optimizer(model, {name!r}) returned {type(mine).__name__}")
        held = {id(p) for group in mine.param_groups for p in group["params"]}
        require(
            held == {id(p) for p in model.parameters()},
            f"the {name!r} optimizer does not hold exactly the model's parameters",
        )
        for key in ("lr", "momentum"):
            if key in theirs.param_groups[0]:
                value = mine.param_groups[0].get(key)
                require(
                    value == theirs.param_groups[0][key],
                    f"the {name!r} optimizer has {key}={value}, not the value the statement gives",
                )


@case("2.5", "apply_init on a 1000-600-300-10 network")
def _apply_init(ctx: Context) -> None:
    torch.manual_seed(12)
    model = nn.Sequential(nn.Linear(1000, 600), nn.ReLU(), nn.Linear(600, 300), nn.ReLU(), nn.Linear(300, 10))
    before = [p.detach().clone() for p in model.parameters()]
    require(ctx.student.apply_init(model, "default") is model, "apply_init should return the model it was given")
    require(
        all(torch.equal(a, p) for a, p in zip(before, model.parameters())),
        "apply_init(model, 'default') changed the weights",
    )
    require(ctx.student.apply_init(model, "kaiming") is model, "apply_init should return the model it was given")
    for layer in (m for m in model.modules() if isinstance(m, nn.Linear)):
        target = (2.0 / layer.in_features) ** 0.5
        std = layer.weight.detach().std().item()
        require(
            abs(std - target) < 0.05 * target,
            f"after 'kaiming' a {layer.in_features}->{layer.out_features} layer has weight std {std:.4f}",
        )
        require(
            abs(layer.weight.detach().mean().item()) < 0.1 * target,
            f"after 'kaiming' a {layer.in_features}->{layer.out_features} layer's weights are not centred",
        )
        require(not layer.bias.detach().any(), "after 'kaiming' the biases should be zero")


@case("2.5", "make_scheduler for runs of 4, 7 and 30 epochs")
def _make_scheduler(ctx: Context) -> None:
    model = nn.Linear(3, 2)
    for epochs in (4, 7, 30):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
        require(
            ctx.student.make_scheduler(optimizer, "none", epochs) is None,
            "make_scheduler(..., 'none', epochs) should return None",
        )
        for name, kind in (
            ("step", torch.optim.lr_scheduler.StepLR),
            ("plateau", torch.optim.lr_scheduler.ReduceLROnPlateau),
        ):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
            scheduler = ctx.student.make_scheduler(optimizer, name, epochs)
            require(
                isinstance(scheduler, kind),
                f"make_scheduler(..., {name!r}, {epochs}) returned {type(scheduler).__name__}",
            )
            require(
                scheduler.optimizer is optimizer, f"the {name!r} scheduler does not wrap the optimizer it was given"
            )
            for _ in range(epochs):
                optimizer.step()
                scheduler.step(1.0) if name == "plateau" else scheduler.step()
            lr = optimizer.param_groups[0]["lr"]
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
        require(not mine.is_floating_point(), f"confusion_counts returned {mine.dtype} counts, not integers")
        require(
            torch.equal(mine.cpu().long(), expected.cpu().long()),
            f"confusion_counts of {n} samples over {classes} classes has wrong counts",
        )


@case("2.6", "the final model, trained as the notebook trains it: its test accuracy", seconds=900)
def _final_accuracy(ctx: Context) -> None:
    from utils import fit, predict, seed_everything, tensor_loaders

    for part, what in (("2.4", "train_one_epoch and evaluate (2.4)"), ("2.6", "build_final_model (2.6)")):
        require(ctx.verdicts.get(part, True), f"not trained: {what} do not pass their checks yet")

    device = ctx.device
    loaders = tensor_loaders(batch_size=256, device=device)
    seed_everything(0)
    result = ctx.student.build_final_model(device)
    require(
        isinstance(result, (tuple, list)) and len(result) == 4,
        "build_final_model should return (model, optimizer, scheduler, epochs)",
    )
    model, optimizer, scheduler, epochs = result
    fit(
        model,
        loaders.train,
        loaders.val,
        ctx.student.make_criterion(),
        optimizer,
        epochs,
        device,
        train_one_epoch=ctx.student.train_one_epoch,
        evaluate=ctx.student.evaluate,
        scheduler=scheduler,
        progress=False,
    )
    labels, predictions = predict(model, loaders.test, device)
    accuracy = (labels == predictions).double().mean().item()
    ctx.report["test_accuracy"] = round(accuracy, 4)
    threshold = float(ctx.settings["accuracy_threshold"])
    require(
        accuracy >= threshold,
        f"the final model's test accuracy is {accuracy:.4f}, below the {threshold} the question asks for",
    )

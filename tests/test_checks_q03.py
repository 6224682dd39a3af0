"""The self-checks of question 3 (utils/checks/q03.py) on right, wrong and unfinished answers.

Each check is fed a correct implementation (it must print its ✓ line), one or more wrong ones
(AssertionError "✗ 3.N: <hint>", the hint naming the mistake) and a stub raising
NotImplementedError (NotImplementedError naming "Q3.N" and the function).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from torch import nn

import utils
from reference_models import TestMLP, train_one_epoch
from utils import checks


def stub(*args, **kwargs):
    raise NotImplementedError("Q3.x: write this function here (replace this line)")


def assert_passes(capsys, part: str) -> None:
    out = capsys.readouterr().out
    assert out.startswith(f"✓ {part} "), out
    assert out.count("\n") == 1, f"a check prints exactly one line, got {out!r}"


def assert_unfinished(part: str, function: str, check, *args) -> None:
    with pytest.raises(NotImplementedError, match=rf"Q{re.escape(part)} is not finished: {function}\(\)"):
        check(*args)


def assert_fails(part: str, hint: str, check, *args) -> None:
    with pytest.raises(AssertionError, match=rf"^✗ {re.escape(part)}: (?s:.*){hint}"):
        check(*args)


# --------------------------------------------------------------------------- 3.1


def state_dict_summary(model):
    return {name: tuple(tensor.shape) for name, tensor in model.state_dict().items()}


def summary_parameters_only(model):
    return {name: tuple(p.shape) for name, p in model.named_parameters()}


def summary_numels(model):
    return {name: tensor.numel() for name, tensor in model.state_dict().items()}


def state_dict_summary_stub(model):
    raise NotImplementedError("Q3.1: write state_dict_summary() here (replace this line)")


def test_state_dict_summary(capsys):
    checks.check_state_dict_summary(state_dict_summary)
    assert_passes(capsys, "3.1")
    assert_fails("3.1", "buffers", checks.check_state_dict_summary, summary_parameters_only)
    assert_fails("3.1", "shape", checks.check_state_dict_summary, summary_numels)
    assert_unfinished("3.1", "state_dict_summary_stub", checks.check_state_dict_summary, state_dict_summary_stub)


def reload_weights(model, make_model, path):
    torch.save(model.state_dict(), path)
    fresh = make_model()
    fresh.load_state_dict(torch.load(path, weights_only=True))
    return fresh.eval()


def reload_without_eval(model, make_model, path):
    torch.save(model.state_dict(), path)
    fresh = make_model()
    fresh.load_state_dict(torch.load(path, weights_only=True))
    return fresh


def reload_whole_model(model, make_model, path):
    torch.save(model, path)
    return torch.load(path, weights_only=False).eval()


def reload_returns_original(model, make_model, path):
    torch.save(model.state_dict(), path)
    return model.eval()


def reload_weights_stub(model, make_model, path):
    raise NotImplementedError("Q3.1: write reload_weights() here (replace this line)")


def test_reload_weights(capsys):
    checks.check_reload_weights(reload_weights)
    assert_passes(capsys, "3.1")
    assert_fails("3.1", "training mode", checks.check_reload_weights, reload_without_eval)
    assert_fails("3.1", "state_dict\\(\\), not the model", checks.check_reload_weights, reload_whole_model)
    assert_fails("3.1", "NEW model", checks.check_reload_weights, reload_returns_original)
    assert_unfinished("3.1", "reload_weights_stub", checks.check_reload_weights, reload_weights_stub)


# --------------------------------------------------------------------------- 3.2


def save_checkpoint(model, optimizer, epoch, scheduler, best_accuracy, filepath):
    checkpoint = {
        "epoch": epoch,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "scheduler_state_dict": scheduler.state_dict() if scheduler else None,
        "best_accuracy": best_accuracy,
    }
    torch.save(checkpoint, filepath)
    print(f"Checkpoint saved at {filepath}")


def load_checkpoint(model, optimizer, scheduler, filepath):
    checkpoint = torch.load(filepath, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    if scheduler and checkpoint["scheduler_state_dict"] is not None:
        scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
    print(f"Checkpoint loaded from {filepath}")
    return checkpoint["epoch"], checkpoint.get("best_accuracy", 0)


def save_without_best(model, optimizer, epoch, scheduler, best_accuracy, filepath):
    torch.save(
        {
            "epoch": epoch,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "scheduler_state_dict": scheduler.state_dict() if scheduler else None,
        },
        filepath,
    )


def load_forgetting_optimizer(model, optimizer, scheduler, filepath):
    checkpoint = torch.load(filepath, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    if scheduler:
        scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
    return checkpoint["epoch"], checkpoint["best_accuracy"]


def load_forgetting_scheduler(model, optimizer, scheduler, filepath):
    checkpoint = torch.load(filepath, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    return checkpoint["epoch"], checkpoint["best_accuracy"]


def load_checkpoint_stub(model, optimizer, scheduler, filepath):
    raise NotImplementedError("Q3.2: write load_checkpoint() here (replace this line)")


def test_checkpoint_roundtrip(capsys):
    checks.check_checkpoint_roundtrip(save_checkpoint, load_checkpoint)
    assert_passes(capsys, "3.2")  # the functions' own prints are swallowed
    assert_fails("3.2", "best_accuracy", checks.check_checkpoint_roundtrip, save_without_best, load_checkpoint)
    assert_fails("3.2", "optimizer", checks.check_checkpoint_roundtrip, save_checkpoint, load_forgetting_optimizer)
    assert_fails("3.2", "scheduler", checks.check_checkpoint_roundtrip, save_checkpoint, load_forgetting_scheduler)
    assert_unfinished(
        "3.2", "load_checkpoint_stub", checks.check_checkpoint_roundtrip, save_checkpoint, load_checkpoint_stub
    )


# --------------------------------------------------------------------------- 3.3

GENERATOR = torch.Generator().manual_seed(5)
RESUME_X = torch.randn(96, 1, 4, 4, generator=GENERATOR)
RESUME_Y = torch.randint(0, 3, (96,), generator=GENERATOR)


def new_run():
    """A tiny run on the CPU with dropout, a shuffling loader, momentum and a scheduler."""
    utils.seed_everything(0)
    model = TestMLP([16, 12, 3], dropout=0.3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    loader = utils.TensorBatchLoader(RESUME_X, RESUME_Y, batch_size=16, shuffle=True)
    return SimpleNamespace(model=model, optimizer=optimizer, scheduler=scheduler, loader=loader)


def train_epochs(run, first, last):
    for _ in range(first, last):
        train_one_epoch(run.model, run.loader, nn.CrossEntropyLoss(), run.optimizer, "cpu")
        run.scheduler.step()


@pytest.fixture(scope="module")
def straight():
    run = new_run()
    train_epochs(run, 0, 4)
    return run


def save_training_state(path, run, epoch):
    torch.save(
        {
            "epoch": epoch,
            "model": run.model.state_dict(),
            "optimizer": run.optimizer.state_dict(),
            "scheduler": run.scheduler.state_dict(),
            "rng": torch.get_rng_state(),
        },
        path,
    )


def load_training_state(path, run):
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    run.model.load_state_dict(checkpoint["model"])
    run.optimizer.load_state_dict(checkpoint["optimizer"])
    run.scheduler.load_state_dict(checkpoint["scheduler"])
    torch.set_rng_state(checkpoint["rng"])
    return checkpoint["epoch"]


def load_without_rng(path, run):
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    run.model.load_state_dict(checkpoint["model"])
    run.optimizer.load_state_dict(checkpoint["optimizer"])
    run.scheduler.load_state_dict(checkpoint["scheduler"])
    return checkpoint["epoch"]


def load_without_scheduler(path, run):
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    run.model.load_state_dict(checkpoint["model"])
    run.optimizer.load_state_dict(checkpoint["optimizer"])
    torch.set_rng_state(checkpoint["rng"])
    return checkpoint["epoch"]


def load_returning_nothing(path, run):
    load_training_state(path, run)


def save_training_state_stub(path, run, epoch):
    raise NotImplementedError("Q3.3: write save_training_state() here (replace this line)")


def test_resume(capsys, straight):
    args = (new_run, train_epochs, straight, 4, 2)
    checks.check_resume(save_training_state, load_training_state, *args)
    out = capsys.readouterr().out
    assert out.startswith("✓ 3.3 ") and "bit-identical" in out, out
    assert_fails("3.3", "get_rng_state", checks.check_resume, save_training_state, load_without_rng, *args)
    assert_fails("3.3", "scheduler", checks.check_resume, save_training_state, load_without_scheduler, *args)
    assert_fails("3.3", "return the epoch", checks.check_resume, save_training_state, load_returning_nothing, *args)
    # The guide's checkpoint (3.2) holds no RNG state: it must not pass.
    assert_fails(
        "3.3",
        "tensors of the resumed model",
        checks.check_resume,
        lambda path, run, epoch: save_checkpoint(run.model, run.optimizer, epoch, run.scheduler, 0.0, path),
        lambda path, run: load_checkpoint(run.model, run.optimizer, run.scheduler, path)[0],
        *args,
    )
    assert_unfinished(
        "3.3", "save_training_state_stub", checks.check_resume, save_training_state_stub, load_training_state, *args
    )
    # The stub is named even when the other function is the unfinished one.
    assert_unfinished("3.3", "<lambda>", checks.check_resume, save_training_state, lambda path, run: stub(), *args)


# --------------------------------------------------------------------------- 3.4


def make_checkpoint_callback(folder, model_name, run, every):
    best = {"accuracy": float("-inf"), "path": None}

    def on_epoch_end(stats):
        accuracy = 100 * stats.val_acc
        state = {"model": run.model, "optimizer": run.optimizer, "scheduler": run.scheduler, "epoch": stats.epoch}
        if stats.epoch % every == 0:
            name = utils.checkpoint_filename(model_name, stats.epoch, accuracy)
            utils.save_checkpoint(folder / name, **state, val_acc=stats.val_acc)
        if stats.val_acc > best["accuracy"]:
            path = folder / utils.checkpoint_filename(f"{model_name}-best", stats.epoch, accuracy)
            utils.save_checkpoint(path, **state, val_acc=stats.val_acc)
            if best["path"] is not None:
                best["path"].unlink()
            best.update(accuracy=stats.val_acc, path=path)

    return on_epoch_end


def callback_with_fractions(folder, model_name, run, every):
    """Right but for the accuracy in the names: a fraction (acc0.81) instead of percent."""
    best = [float("-inf")]

    def on_epoch_end(stats):
        state = {"model": run.model, "optimizer": run.optimizer, "scheduler": run.scheduler, "epoch": stats.epoch}
        if stats.epoch % every == 0:
            name = utils.checkpoint_filename(model_name, stats.epoch, stats.val_acc)
            utils.save_checkpoint(folder / name, **state, val_acc=stats.val_acc)
        if stats.val_acc > best[0]:
            for old in folder.glob(f"{model_name}-best_*"):
                old.unlink()
            name = utils.checkpoint_filename(f"{model_name}-best", stats.epoch, stats.val_acc)
            utils.save_checkpoint(folder / name, **state, val_acc=stats.val_acc)
            best[0] = stats.val_acc

    return on_epoch_end


def callback_keeping_every_best(folder, model_name, run, every):
    best = [float("-inf")]

    def on_epoch_end(stats):
        state = {"model": run.model, "optimizer": run.optimizer, "scheduler": run.scheduler, "epoch": stats.epoch}
        if stats.epoch % every == 0:
            name = utils.checkpoint_filename(model_name, stats.epoch, 100 * stats.val_acc)
            utils.save_checkpoint(folder / name, **state, val_acc=stats.val_acc)
        if stats.val_acc > best[0]:
            name = utils.checkpoint_filename(f"{model_name}-best", stats.epoch, 100 * stats.val_acc)
            utils.save_checkpoint(folder / name, **state, val_acc=stats.val_acc)
            best[0] = stats.val_acc

    return on_epoch_end


def callback_off_by_one(folder, model_name, run, every):
    """Periodic checkpoints at epochs 1, 3, 5 (as if stats.epoch counted from 0)."""
    inner = make_checkpoint_callback(folder, model_name, run, every=10**6)  # its best-so-far part only

    def on_epoch_end(stats):
        inner(stats)
        if (stats.epoch - 1) % every == 0:
            name = utils.checkpoint_filename(model_name, stats.epoch, 100 * stats.val_acc)
            utils.save_checkpoint(
                folder / name, run.model, run.optimizer, run.scheduler, epoch=stats.epoch, val_acc=stats.val_acc
            )

    return on_epoch_end


def make_checkpoint_callback_stub(folder, model_name, run, every):
    raise NotImplementedError("Q3.4: write make_checkpoint_callback() here (replace this line)")


def test_checkpoint_callback(capsys):
    checks.check_checkpoint_callback(make_checkpoint_callback)
    assert_passes(capsys, "3.4")
    assert_fails("3.4", "percent", checks.check_checkpoint_callback, callback_with_fractions)
    assert_fails("3.4", "keep exactly one", checks.check_checkpoint_callback, callback_keeping_every_best)
    assert_fails("3.4", "stats.epoch counts from 1", checks.check_checkpoint_callback, callback_off_by_one)
    assert_unfinished(
        "3.4", "make_checkpoint_callback_stub", checks.check_checkpoint_callback, make_checkpoint_callback_stub
    )


def list_checkpoints(folder):
    found = []
    for path in Path(folder).glob("*.pth"):
        match = re.search(r"_acc(\d+(?:\.\d+)?)\.pth$", path.name)
        if match:
            found.append((path, float(match.group(1))))
    return sorted(found, key=lambda item: item[1], reverse=True)


def list_sorted_as_strings(folder):
    found = [
        (path, match.group(1))
        for path in Path(folder).glob("*.pth")
        if (match := re.search(r"_acc(\d+\.\d+)\.pth$", path.name))
    ]
    return [(path, float(text)) for path, text in sorted(found, key=lambda item: item[1], reverse=True)]


def list_everything(folder):
    return [(path, 0.0) for path in sorted(Path(folder).iterdir())]


def list_checkpoints_stub(folder):
    raise NotImplementedError("Q3.4: write list_checkpoints() here (replace this line)")


def test_list_checkpoints(capsys):
    checks.check_list_checkpoints(list_checkpoints)
    assert_passes(capsys, "3.4")
    assert_fails("3.4", "not by the string", checks.check_list_checkpoints, list_sorted_as_strings)
    assert_fails("3.4", "skipped", checks.check_list_checkpoints, list_everything)
    assert_fails("3.4", "list_checkpoints returned None", checks.check_list_checkpoints, lambda folder: None)
    assert_unfinished("3.4", "list_checkpoints_stub", checks.check_list_checkpoints, list_checkpoints_stub)


# --------------------------------------------------------------------------- 3.5


def clip_with_cond(h, limit):
    return torch.cond(h.norm() > limit, lambda h: h * (limit / h.norm()), lambda h: h.clone(), (h,))


def clip_with_if(h, limit):
    if h.norm() > limit:
        return h * (limit / h.norm())
    return h


def clip_branch_free(h, limit):
    return h * torch.clamp(limit / h.norm(), max=1.0)


def clip_aliasing(h, limit):
    return torch.cond(h.norm() > limit, lambda h: h * (limit / h.norm()), lambda h: h, (h,))


def clip_wrong_scale(h, limit):
    return torch.cond(h.norm() > limit, lambda h: h / h.norm(), lambda h: h.clone(), (h,))


def clip_with_cond_stub(h, limit):
    raise NotImplementedError("Q3.5: write clip_with_cond() here (replace this line)")


def test_clip_with_cond(capsys):
    checks.check_clip_with_cond(clip_with_cond)
    assert_passes(capsys, "3.5")
    assert_fails("3.5", "use torch.cond", checks.check_clip_with_cond, clip_with_if)
    assert_fails("3.5", "holds no torch.cond", checks.check_clip_with_cond, clip_branch_free)
    assert_fails("3.5", "h.clone\\(\\)", checks.check_clip_with_cond, clip_aliasing)
    assert_fails("3.5", "longer than the limit 2.5", checks.check_clip_with_cond, clip_wrong_scale)
    assert_unfinished("3.5", "clip_with_cond_stub", checks.check_clip_with_cond, clip_with_cond_stub)
    assert capsys.readouterr().err == "", "the check lets torch.export's diagnostics through"


class CondModel(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.linear = nn.Linear(8, 4)

    def forward(self, x):
        return clip_with_cond(self.linear(x), 5.0)


def export_and_reload(model, example, path):
    program = torch.export.export(model, (example,), dynamic_shapes=({0: torch.export.Dim("batch")},))
    torch.export.save(program, path)
    return torch.export.load(path).module()


def export_static(model, example, path):
    program = torch.export.export(model, (example,))
    torch.export.save(program, path)
    return torch.export.load(path).module()


def export_not_saved(model, example, path):
    return model


def export_and_reload_stub(model, example, path):
    raise NotImplementedError("Q3.5: write export_and_reload() here (replace this line)")


def test_export_and_reload(capsys):
    model = CondModel()
    inputs = [10 * torch.randn(4, 8), 0.1 * torch.randn(4, 8), 10 * torch.randn(7, 8)]
    checks.check_export_and_reload(export_and_reload, model, inputs)
    assert_passes(capsys, "3.5")
    assert_fails("3.5", "dynamic", checks.check_export_and_reload, export_static, model, inputs)
    assert_fails("3.5", "nothing was written", checks.check_export_and_reload, export_not_saved, model, inputs)
    assert_unfinished(
        "3.5", "export_and_reload_stub", checks.check_export_and_reload, export_and_reload_stub, model, inputs
    )


# --------------------------------------------------------------------------- 3.6


def graph_node_names(tensor):
    names, seen, stack = [], set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.append(type(node).__name__)
        stack.extend(next_node for next_node, _ in node.next_functions)
    return names


def graph_breadth_first_with_name(tensor):
    """Another right answer: breadth first, with node.name() (which says torch::autograd::AccumulateGrad)."""
    if tensor.grad_fn is None:
        return []
    names, seen, queue = [], {tensor.grad_fn}, [tensor.grad_fn]
    while queue:
        node = queue.pop(0)
        names.append(node.name())
        for next_node, _ in node.next_functions:
            if next_node is not None and next_node not in seen:
                seen.add(next_node)
                queue.append(next_node)
    return names


def graph_without_dedup(tensor):
    names, stack = [], [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        names.append(type(node).__name__)
        stack.extend(next_node for next_node, _ in node.next_functions)
    return names


def graph_one_level(tensor):
    if tensor.grad_fn is None:
        return []
    return [type(tensor.grad_fn).__name__] + [type(n).__name__ for n, _ in tensor.grad_fn.next_functions if n]


def graph_node_names_stub(tensor):
    raise NotImplementedError("Q3.6: write graph_node_names() here (replace this line)")


def test_graph_node_names(capsys):
    checks.check_graph_node_names(graph_node_names)
    assert_passes(capsys, "3.6")
    checks.check_graph_node_names(graph_breadth_first_with_name)
    assert_passes(capsys, "3.6")
    assert_fails("3.6", "each node once", checks.check_graph_node_names, graph_without_dedup)
    assert_fails("3.6", "next_functions", checks.check_graph_node_names, graph_one_level)
    assert_unfinished("3.6", "graph_node_names_stub", checks.check_graph_node_names, graph_node_names_stub)


def record_activation_stats(model, inputs):
    stats, handles = {}, []

    def make_hook(name):
        def hook(module, module_inputs, output):
            stats[name] = {
                "mean": output.mean().item(),
                "std": output.std().item(),
                "zeros": (output == 0).float().mean().item(),
            }

        return hook

    for index, layer in enumerate(model.layers):
        handles.append(layer.register_forward_hook(make_hook(f"layers.{index}")))
    try:
        with torch.no_grad():
            model(inputs)
    finally:
        for handle in handles:
            handle.remove()
    return stats


def stats_hooks_left(model, inputs):
    stats = {}
    for index, layer in enumerate(model.layers):
        layer.register_forward_hook(
            lambda m, i, o, name=f"layers.{index}": stats.__setitem__(
                name, {"mean": o.mean().item(), "std": o.std().item(), "zeros": (o == 0).float().mean().item()}
            )
        )
    with torch.no_grad():
        model(inputs)
    return stats


def stats_of_inputs(model, inputs):
    stats, handles = {}, []
    for index, layer in enumerate(model.layers):

        def hook(module, module_inputs, output, name=f"layers.{index}"):
            x = module_inputs[0]
            stats[name] = {"mean": x.mean().item(), "std": x.std().item(), "zeros": (x == 0).float().mean().item()}

        handles.append(layer.register_forward_hook(hook))
    with torch.no_grad():
        model(inputs)
    for handle in handles:
        handle.remove()
    return stats


def record_activation_stats_stub(model, inputs):
    raise NotImplementedError("Q3.6: write record_activation_stats() here (replace this line)")


def test_activation_stats(capsys):
    checks.check_activation_stats(record_activation_stats)
    assert_passes(capsys, "3.6")
    model = TestMLP([784, 32, 10], batch_norm=True)
    checks.check_activation_stats(record_activation_stats, model, torch.randn(50, 1, 28, 28))
    assert_passes(capsys, "3.6")
    assert_fails("3.6", "handle.remove", checks.check_activation_stats, stats_hooks_left)
    assert_fails("3.6", "`output` argument", checks.check_activation_stats, stats_of_inputs)
    assert_unfinished(
        "3.6", "record_activation_stats_stub", checks.check_activation_stats, record_activation_stats_stub
    )


class ScaledLinear(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)
        self.scale = nn.Parameter(torch.ones(n_out))

    def forward(self, x):
        return self.linear(x) * self.scale


class ScaledLinearPlainTensor(ScaledLinear):
    def __init__(self, n_in, n_out):
        nn.Module.__init__(self)
        self.linear = nn.Linear(n_in, n_out)
        self.scale = torch.ones(n_out)


class ScaledLinearZeros(ScaledLinear):
    def __init__(self, n_in, n_out):
        nn.Module.__init__(self)
        self.linear = nn.Linear(n_in, n_out)
        self.scale = nn.Parameter(torch.zeros(n_out))


class ScaledLinearStub(ScaledLinear):
    def __init__(self, n_in, n_out):
        nn.Module.__init__(self)
        raise NotImplementedError("Q3.6: write __init__() here (replace this line)")


def test_scaled_linear(capsys):
    checks.check_scaled_linear(ScaledLinear)
    assert_passes(capsys, "3.6")
    assert_fails("3.6", "nn.Parameter", checks.check_scaled_linear, ScaledLinearPlainTensor)
    assert_fails("3.6", "torch.ones", checks.check_scaled_linear, ScaledLinearZeros)
    assert_unfinished("3.6", "ScaledLinearStub", checks.check_scaled_linear, ScaledLinearStub)


def test_every_check_is_exported():
    names = {name for name in checks.q03.__all__}
    tested = {name for name in globals() if name.startswith("test_")}
    assert names == {f"check_{name[len('test_') :]}" for name in tested if name != "test_every_check_is_exported"}
    assert all(callable(getattr(checks, name)) for name in names)

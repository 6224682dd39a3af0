"""Self-checks for question 3 (`notebooks/hw08-q03.ipynb`): checkpoints, resuming, deployment, internals.

Every check builds its own small models and temporary folder (nothing is written into the
repository), runs the student's code through :func:`call_student`, and compares the result
with PyTorch's own behaviour: a reloaded model against the original, a resumed run against
an uninterrupted one, an exported program against eager execution, hook statistics against
the layers run one by one. It also watches what the code does: which files it reads back
and what the folder held when it deleted one (``_files``), whether loading a checkpoint
runs code hidden in it, and where it puts the random-number state.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import numbers
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch
from torch import nn

from ..checkpoint import CheckpointError, read_checkpoint
from ..errors import first_line
from ..training import EpochStats
from ._core import call_student, expect, number, passed, self_check, shown
from ._files import watching

__all__ = [
    "check_activation_stats",
    "check_checkpoint_callback",
    "check_checkpoint_roundtrip",
    "check_clip_with_cond",
    "check_export_and_reload",
    "check_graph_node_names",
    "check_list_checkpoints",
    "check_reload_weights",
    "check_resume",
    "check_scaled_linear",
    "check_state_dict_summary",
]

#: Seconds for a call that trains or exports (the right answers take a few).
LONG_CALL = 120.0


class _TinyNet(nn.Module):
    """6 -> 5 -> 3 with its blocks in ``self.layers`` (Linear, [BatchNorm1d], ReLU, [Dropout], Linear)."""

    def __init__(self, batch_norm: bool, dropout: float) -> None:
        super().__init__()
        hidden = [nn.Linear(6, 5), *([nn.BatchNorm1d(5)] if batch_norm else []), nn.ReLU()]
        self.layers = nn.Sequential(*hidden, *([nn.Dropout(dropout)] if dropout > 0 else []), nn.Linear(5, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x.flatten(1))


def _small_net(seed: int, batch_norm: bool = False, dropout: float = 0.0) -> nn.Module:
    """A tiny network (6 -> 5 -> 3), on the CPU, seeded (the check runs on a fork of the random streams)."""
    torch.manual_seed(seed)
    return _TinyNet(batch_norm, dropout)


def _tensors_equal(a: Any, b: Any) -> bool:
    """Deep equality of (nested) state dicts: tensors with torch.equal, everything else with ==."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return (
            isinstance(a, torch.Tensor)
            and isinstance(b, torch.Tensor)
            and a.shape == b.shape
            and torch.equal(a.detach().cpu(), b.detach().cpu())
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_tensors_equal(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_tensors_equal(x, y) for x, y in zip(a, b))
    return a == b


def _message(error: BaseException) -> str:
    return str(error).lower()


# --------------------------------------------------------------------------- loading runs no hidden code

_UNPICKLED: list[str] = []


def _ran_on_load(token: str) -> str:
    """Called only if a checkpoint holding :class:`_HiddenCode` is unpickled with ``weights_only=False``."""
    _UNPICKLED.append(token)
    return token


class _HiddenCode:
    """A harmless stand-in for malicious code in a downloaded checkpoint: unpickling it calls ``_ran_on_load``."""

    def __reduce__(self) -> tuple[Callable[[str], str], tuple[str]]:
        return (_ran_on_load, ("hidden code ran",))


@contextlib.contextmanager
def _with_hidden_code(path: Path) -> Iterator[None]:
    """While the block runs, the checkpoint at ``path`` also holds a pickled call (``weights_only=True`` refuses it)."""
    original = path.read_bytes()
    payload = torch.load(path, map_location="cpu", weights_only=True)
    contents = payload if isinstance(payload, dict) else {"payload": payload}
    torch.save({**contents, "downloaded_note": _HiddenCode()}, path)
    _UNPICKLED.clear()
    try:
        yield
    finally:
        path.write_bytes(original)


def _refuses_hidden_code(part: str, load: Callable[..., Any], *args: Any, name: str) -> None:
    """``load`` must not unpickle the hidden object (it may raise, as ``weights_only=True`` does)."""
    with contextlib.suppress(AssertionError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call_student(part, load, *args)
    expect(
        not _UNPICKLED,
        part,
        f"{name} ran code hidden in the checkpoint file (a downloaded checkpoint could do anything): it loads with "
        "weights_only=False. Use torch.load(path, weights_only=True), the default, which refuses such files",
    )


def _readable(part: str, path: Path, what: str) -> Any:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 (a pickled object is refused by weights_only=True)
        raise AssertionError(
            f"✗ {part}: torch.load(path, weights_only=True) cannot read {what} ({first_line(error)}). "
            "Store state_dicts, tensors and plain numbers, not objects such as the model itself"
        ) from None


# --------------------------------------------------------------------------- 3.1 state_dict


@self_check("3.1")
def check_state_dict_summary(state_dict_summary: Callable[[nn.Module], dict]) -> None:
    """3.1: ``state_dict_summary(model)`` maps every state_dict entry (parameters AND buffers) to its shape."""
    part = "3.1"
    model = _small_net(0, batch_norm=True)
    summary = call_student(part, state_dict_summary, model)
    expect(isinstance(summary, dict), part, f"state_dict_summary should return a dict, got {type(summary).__name__}")
    parameters = {name: tuple(p.shape) for name, p in model.named_parameters()}
    buffers = {name: tuple(b.shape) for name, b in model.named_buffers()}
    missing = [name for name in {**parameters, **buffers} if name not in summary]
    missing_buffers = [name for name in missing if name in buffers]
    expect(
        not missing_buffers or len(missing_buffers) < len(missing),
        part,
        f"entries missing: {', '.join(missing_buffers)}. A state_dict holds the buffers too "
        "(BatchNorm's running_mean, running_var, num_batches_tracked), not only the parameters: use model.state_dict()",
    )
    expect(
        not missing,
        part,
        f"entries missing from the summary: {', '.join(missing)}; iterate over model.state_dict().items()",
    )
    extra = [name for name in summary if name not in parameters and name not in buffers]
    expect(not extra, part, f"unexpected keys {extra}: use the state_dict's own names, e.g. 'layers.0.weight'")
    for name, shape in {**parameters, **buffers}.items():
        got = summary[name]
        expect(
            not (isinstance(got, list) and tuple(got) == shape),
            part,
            f"{name}: the shape is a list, {got}; the statement asks for a tuple, {shape}: use tuple(tensor.shape)",
        )
        ok = isinstance(got, tuple) and all(isinstance(n, int) for n in got) and tuple(got) == shape
        expect(ok, part, f"{name}: expected the shape {shape} as a tuple, got {shown(got)} (use tuple(tensor.shape))")
    passed(part, f"state_dict_summary lists all {len(summary)} entries: parameters and buffers with their shapes")


@self_check("3.1")
def check_reload_weights(reload_weights: Callable[[nn.Module, Callable[[], nn.Module], Path], nn.Module]) -> None:
    """3.1: ``reload_weights(model, make_model, path)`` saves the state_dict and loads it into a fresh model (eval)."""
    part = "3.1"
    model = _small_net(1, batch_norm=True, dropout=0.5)
    with torch.no_grad():  # give BatchNorm's running statistics values a fresh model does not have
        model.train()
        for _ in range(3):
            model(torch.randn(16, 6) * 3 + 1)
    built: list[nn.Module] = []

    def make_model() -> nn.Module:
        fresh = _small_net(2 + len(built), batch_norm=True, dropout=0.5)
        built.append(fresh)
        return fresh

    inputs = torch.randn(8, 6)
    original = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    with torch.no_grad():  # what the original predicts, before the student's code can touch it
        expected = model.eval()(inputs)
    model.train()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "weights.pth"
        with watching(folder) as activity:
            reloaded = call_student(part, reload_weights, model, make_model, path)
        expect(path.is_file(), part, "nothing was written to `path`: torch.save(model.state_dict(), path)")
        stored = _readable(part, path, "the file")
    expect(
        isinstance(stored, dict) and set(stored) == set(original),
        part,
        "the file should hold exactly model.state_dict() (a dict of tensors keyed like 'layers.0.weight')",
    )
    expect(isinstance(reloaded, nn.Module), part, f"return the fresh model, got {type(reloaded).__name__}")
    expect(reloaded is not model, part, "return a NEW model built with make_model(), not the model you were given")
    expect(any(reloaded is m for m in built), part, "build the fresh model with make_model()")
    expect(
        not activity.observed_writes or path.name in activity.read,
        part,
        "reload_weights never read the file it wrote: load the fresh model's weights from it "
        "(torch.load(path, weights_only=True)); copying them from the model in memory proves nothing about the file",
    )
    expect(
        not reloaded.training,
        part,
        "the reloaded model is still in training mode: call .eval() so dropout is off and BatchNorm "
        "uses its running statistics",
    )
    expect(
        _tensors_equal(reloaded.state_dict(), original),
        part,
        "the fresh model's state_dict differs from the original: load_state_dict(torch.load(path, weights_only=True))",
    )
    with torch.no_grad():
        same = torch.equal(call_student(part, reloaded, inputs, name="the reloaded model"), expected)
    expect(same, part, "the reloaded model predicts differently from the original")
    passed(
        part,
        "reload_weights round-trips the state_dict through the file; the fresh model (eval mode) predicts identically",
    )


# --------------------------------------------------------------------------- 3.2 comprehensive checkpoints

GUIDE_KEYS = ("epoch", "model_state_dict", "optimizer_state_dict", "scheduler_state_dict", "best_accuracy")


def _trained_objects(seed: int, with_scheduler: bool = True) -> tuple[nn.Module, torch.optim.Optimizer, Any]:
    model = _small_net(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5) if with_scheduler else None
    torch.manual_seed(seed)
    for _ in range(3):
        optimizer.zero_grad()
        model(torch.randn(4, 6)).square().mean().backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return model, optimizer, scheduler


def _fresh_objects(seed: int, with_scheduler: bool = True) -> tuple[nn.Module, torch.optim.Optimizer, Any]:
    model = _small_net(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5) if with_scheduler else None
    return model, optimizer, scheduler


def _scheduler_hint(error: BaseException) -> str:
    if "nonetype" in _message(error):
        return "scheduler may be None: store None in its place, and skip it when loading"
    return ""


def _pair_result(part: str, result: Any, expected: tuple[int, float]) -> None:
    expect(
        isinstance(result, (tuple, list)) and len(result) == 2,
        part,
        f"load_checkpoint should return the pair (epoch, best_accuracy), got {shown(result)}",
    )
    expect(
        tuple(result) == expected,
        part,
        f"load_checkpoint returned {tuple(result)}, expected {expected}: the epoch and best accuracy stored in the "
        "file",
    )


@self_check("3.2")
def check_checkpoint_roundtrip(save_checkpoint: Callable[..., Any], load_checkpoint: Callable[..., Any]) -> None:
    """3.2: the guide's ``save_checkpoint`` / ``load_checkpoint`` restore model, optimizer, scheduler, epoch, best.

    Loading also refuses a checkpoint with code hidden in it (``weights_only=True``).
    """
    part = "3.2"
    model, optimizer, scheduler = _trained_objects(10)
    # The states to restore, copied before the student's code runs (a save must not change them either).
    saved = copy.deepcopy((model.state_dict(), optimizer.state_dict(), scheduler.state_dict()))
    last_lr = scheduler.get_last_lr()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.pth"
        call_student(part, save_checkpoint, model, optimizer, 7, scheduler, 0.875, str(path), hint=_scheduler_hint)
        expect(path.is_file(), part, "save_checkpoint wrote nothing to `filepath`: torch.save(checkpoint, filepath)")
        stored = _readable(part, path, "the checkpoint")
        expect(isinstance(stored, dict), part, "the checkpoint should be one dict (see the guide)")
        missing = [key for key in GUIDE_KEYS if key not in stored]
        expect(not missing, part, f"the checkpoint lacks the guide's keys {missing}")
        expect(
            stored["epoch"] == 7 and stored["best_accuracy"] == 0.875, part, "store epoch and best_accuracy as given"
        )

        new_model, new_optimizer, new_scheduler = _fresh_objects(11)
        result = call_student(part, load_checkpoint, new_model, new_optimizer, new_scheduler, str(path))
        _pair_result(part, result, (7, 0.875))
        expect(_tensors_equal(new_model.state_dict(), saved[0]), part, "the model's weights were not restored")
        expect(
            new_scheduler.state_dict() == saved[2] and new_scheduler.get_last_lr() == last_lr,
            part,
            "the scheduler's state (its epoch counter and learning rate) was not restored: scheduler.load_state_dict",
        )
        expect(
            _tensors_equal(new_optimizer.state_dict(), saved[1]),
            part,
            "the optimizer's state (Adam's moment estimates, step counts) was not restored: optimizer.load_state_dict",
        )
        with _with_hidden_code(path):
            _refuses_hidden_code(part, load_checkpoint, *_fresh_objects(12), str(path), name="load_checkpoint")

        # No scheduler at all: the guide stores None and loading must cope.
        model, optimizer, _ = _trained_objects(12, with_scheduler=False)
        path = Path(folder) / "no_scheduler.pth"
        call_student(part, save_checkpoint, model, optimizer, 3, None, 0.5, str(path), hint=_scheduler_hint)
        new_model, new_optimizer, _ = _fresh_objects(13, with_scheduler=False)
        result = call_student(part, load_checkpoint, new_model, new_optimizer, None, str(path), hint=_scheduler_hint)
        _pair_result(part, result, (3, 0.5))
        expect(
            _tensors_equal(new_model.state_dict(), model.state_dict()),
            part,
            "with scheduler=None the model's weights were not restored",
        )
    passed(part, "save_checkpoint / load_checkpoint restore model, optimizer, scheduler, epoch and best accuracy")


# --------------------------------------------------------------------------- 3.3 resume bit-exactly


def _first_difference(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor], exact: bool) -> tuple[int, str, float]:
    """(number of tensors that differ, name of the worst floating-point one, its largest absolute difference).

    Integer entries (BatchNorm's ``num_batches_tracked``) count, but are described by :func:`_counter_differences`.
    """
    count, worst_name, worst = 0, "", 0.0
    for name, x in a.items():
        y = b[name]
        if not torch.is_tensor(x) or not x.is_floating_point():
            same = torch.equal(x, y.to(x.device)) if torch.is_tensor(x) else x == y
            count += not same
            continue
        else:
            gap = (x.detach().double() - y.detach().to(x.device).double()).abs().max().item() if x.numel() else 0.0
            same = torch.equal(x, y.to(x.device)) if exact else torch.allclose(x, y.to(x.device), rtol=1e-4, atol=1e-5)
        if not same:
            count += 1
            if gap >= worst:
                worst_name, worst = name, gap
    return count, worst_name, worst


def _counter_differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """``"layers.5.num_batches_tracked is 10, the uninterrupted run's 8"`` for each integer entry that differs."""
    found = []
    for name, x in a.items():
        y = b[name]
        if torch.is_tensor(x) and not x.is_floating_point() and x.numel() == 1 and not torch.equal(x, y.to(x.device)):
            found.append(f"{name} is {int(x.item())}, the uninterrupted run's {int(y.item())}")
    return found


def _on_meta(run: Any) -> Any:
    """``run`` with its model's parameters and buffers on the ``meta`` device, the optimizer still holding them."""
    previous = torch.__future__.get_swap_module_params_on_conversion()
    torch.__future__.set_swap_module_params_on_conversion(True)
    try:
        run.model.to("meta")
    finally:
        torch.__future__.set_swap_module_params_on_conversion(previous)
    return run


def _check_rng_state_stays_on_cpu(
    part: str, save: Callable[..., Any], load: Callable[..., Any], new_run: Callable[[], Any], folder: Path
) -> None:
    """Load into a run whose model is on another device (``meta``): the RNG states must still be set from CPU tensors.

    On a CPU-only machine the model's device is the CPU, so ``torch.load(map_location=<model's device>)``
    followed by ``torch.set_rng_state`` works there and fails only on a GPU; the meta device shows it here.
    """
    path = folder / "device_probe.pth"
    call_student(part, save, path, new_run(), 0)
    target = _on_meta(new_run())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call_student(part, load, path, target)
    except AssertionError as failure:
        message = _message(failure)
        if "rng state" in message or "bytetensor" in message:
            raise AssertionError(
                f"✗ {part}: load_training_state restored the random-number state from a tensor on the model's device "
                f"(checked with a model on the meta device): {str(failure).removeprefix(f'✗ {part}: ').rstrip('.')}. "
                "RNG states are CPU byte tensors: load the checkpoint with torch.load(path, map_location='cpu', weights_only=True); "
                "load_state_dict moves the "
                "weights to the model's device by itself"
            ) from None
        # Anything else is about the meta device itself: the real round trip below reports real errors.


def _check_binding(part: str, run: Any) -> None:
    """After loading, the run's scheduler drives the run's optimizer, which holds the run's model's parameters."""
    held = {id(p) for group in run.optimizer.param_groups for p in group["params"]}
    expect(
        held == {id(p) for p in run.model.parameters()},
        part,
        "after load_training_state, run.optimizer holds other tensors than run.model's parameters (one of them "
        "was replaced by a new object): load the saved states into the run's own objects, "
        "run.model.load_state_dict(...) and run.optimizer.load_state_dict(...), instead of building new ones",
    )
    scheduler = getattr(run, "scheduler", None)
    expect(
        scheduler is None or getattr(scheduler, "optimizer", None) is run.optimizer,
        part,
        "after load_training_state, run.scheduler still drives another optimizer than run.optimizer (a new "
        "optimizer was built and assigned to run.optimizer, but the scheduler wraps the old one, so its steps never "
        "reach the optimizer that trains): load into the run's own optimizer with run.optimizer.load_state_dict(...)",
    )


@self_check("3.3")
def check_resume(
    save_training_state: Callable[[Path, Any, int], Any],
    load_training_state: Callable[[Path, Any], int],
    new_run: Callable[[], Any],
    train_epochs: Callable[[Any, int, int], Any],
    straight: Any,
    n_epochs: int,
    resume_at: int,
) -> None:
    """3.3: train ``resume_at`` epochs, save, rebuild with ``new_run()``, load, finish: same result as ``straight``.

    ``straight`` is a run (``.model``, ``.optimizer``, ``.scheduler``) trained ``n_epochs``
    without a break. On the CPU every tensor must be identical (``torch.equal``); on CUDA
    or MPS, where kernels need not be bit-reproducible, close within a tolerance.
    """
    part = "3.3"
    expect(0 < resume_at < n_epochs, part, f"resume_at ({resume_at}) must lie between 0 and n_epochs ({n_epochs})")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # A first round trip on an untrained run, so that an unfinished function is reported at once.
        probe = folder / "probe.pth"
        call_student(part, save_training_state, probe, new_run(), 0)
        with contextlib.suppress(AssertionError):  # the full round trip below explains what is wrong
            call_student(part, load_training_state, probe, new_run())
        _check_rng_state_stays_on_cpu(part, save_training_state, load_training_state, new_run, folder)

        path = folder / "resume.pth"
        run = new_run()
        call_student(part, train_epochs, run, 0, resume_at, name="train_epochs (your training loop)", seconds=LONG_CALL)
        call_student(part, save_training_state, path, run, resume_at)
        expect(path.is_file(), part, "save_training_state wrote nothing to `path`")
        _readable(part, path, "your checkpoint")
        with _with_hidden_code(path):
            _refuses_hidden_code(part, load_training_state, path, new_run(), name="load_training_state")
        saved_model = run.model
        del run
        run = new_run()  # a new process: nothing survives but the file
        expect(run.model is not saved_model, part, "new_run() must build a new model")
        epoch = call_student(part, load_training_state, path, run)
        expect(
            isinstance(epoch, int) and not isinstance(epoch, bool) and epoch == resume_at,
            part,
            f"load_training_state returned {shown(epoch)}; return the epoch stored in the checkpoint ({resume_at}), an int",
        )
        call_student(
            part, train_epochs, run, epoch, n_epochs, name="train_epochs (your training loop)", seconds=LONG_CALL
        )

    _check_binding(part, run)
    device = next(straight.model.parameters()).device
    exact = device.type == "cpu"
    position, wanted = run.scheduler.state_dict().get("last_epoch"), straight.scheduler.state_dict().get("last_epoch")
    expect(
        position == wanted,
        part,
        f"the scheduler ends at epoch {position} instead of {wanted}: the optimizer's state_dict brings back the "
        "learning rate, but not the scheduler's position; save and restore scheduler.state_dict()",
    )
    expect(
        run.optimizer.param_groups[0]["lr"] == straight.optimizer.param_groups[0]["lr"],
        part,
        f"the learning rate ends at {run.optimizer.param_groups[0]['lr']:.4g} instead of "
        f"{straight.optimizer.param_groups[0]['lr']:.4g}: restore the optimizer's and the scheduler's state_dicts",
    )
    model_state, reference = run.model.state_dict(), straight.model.state_dict()
    count, name, gap = _first_difference(model_state, reference, exact)
    comparison = "identical" if exact else "close"
    counters = _counter_differences(model_state, reference)
    expect(
        not counters,
        part,
        f"the resumed model ran another number of training-mode batches than the uninterrupted run "
        f"({'; '.join(counters)}): BatchNorm counts every forward pass in training mode, and updates its running "
        "statistics with it. Load the state and run nothing else (no forward pass) before training continues",
    )
    expect(
        count == 0,
        part,
        f"{count} of {len(reference)} tensors of the resumed model are not {comparison} to the uninterrupted run's "
        f"(worst: {name}, off by {number(gap, 3)}). Model, optimizer and scheduler are restored? Then what else "
        "decides the dropout masks and the order of the shuffled batches? Save its state "
        "(torch.get_rng_state(), and torch.cuda.get_rng_state_all() / torch.mps.get_rng_state() on a GPU) "
        "and restore it when loading",
    )
    for state_run, state_ref in zip(run.optimizer.state.values(), straight.optimizer.state.values()):
        flat_run = {key: value for key, value in state_run.items() if torch.is_tensor(value)}
        flat_ref = {key: value for key, value in state_ref.items() if torch.is_tensor(value)}
        expect(
            flat_run.keys() == flat_ref.keys() and _first_difference(flat_run, flat_ref, exact)[0] == 0,
            part,
            "the weights match but the optimizer's state (e.g. momentum buffers) does not: restore "
            "optimizer.load_state_dict",
        )
    if exact:
        passed(part, f"resumed after epoch {resume_at} of {n_epochs}: all {len(reference)} tensors bit-identical (CPU)")
    else:
        passed(
            part,
            f"resumed after epoch {resume_at} of {n_epochs}: all {len(reference)} tensors match within "
            f"rtol=1e-4 on {device.type} (bit-exactness is promised on the CPU only)",
        )


# --------------------------------------------------------------------------- 3.4 filenames

_NAME_RE = r"^{model}_(\d{{8}}_\d{{6}})_epoch(\d+)_acc(\d+\.\d\d)\.pth$"
#: val_acc per epoch: a new best at epochs 1, 2, 4; a tie with the best at epoch 6 (a tie does not beat it).
_ACCURACIES = (0.50, 0.70, 0.60, 0.8125, 0.75, 0.8125)


def _stats(epoch: int, val_acc: float) -> EpochStats:
    return EpochStats(
        epoch=epoch,
        train_loss=1.0 / epoch,
        train_acc=val_acc,
        val_loss=1.0 / epoch,
        val_acc=val_acc,
        lr=0.1,
        seconds=0.01,
    )


def _callback_hint(error: BaseException) -> str:
    if isinstance(error, UnboundLocalError) or "referenced before assignment" in _message(error):
        return (
            "Assigning to a variable of make_checkpoint_callback inside on_epoch_end makes it a new local variable: "
            "declare it `nonlocal`, or keep the best accuracy in a dict"
        )
    if "already exists" in _message(error):
        return "Save each file once: a name holds the epoch, so a file is written at most once per epoch and kind"
    return ""


def _check_callback_run(part: str, make_checkpoint_callback: Callable[..., Any], folder: Path, model_name: str) -> None:
    model, optimizer, scheduler = _trained_objects(20)
    run = SimpleNamespace(model=model, optimizer=optimizer, scheduler=scheduler)
    every = 2
    periodic_re = re.compile(_NAME_RE.format(model=re.escape(model_name)))
    best_re = re.compile(_NAME_RE.format(model=re.escape(f"{model_name}-best")))
    callback = call_student(part, make_checkpoint_callback, folder, model_name, run, every)
    expect(callable(callback), part, "make_checkpoint_callback should return a function on_epoch_end(stats)")
    best_epoch = 0
    for epoch, accuracy in enumerate(_ACCURACIES, start=1):
        with watching(folder) as activity:
            call_student(part, callback, _stats(epoch, accuracy), name="on_epoch_end", hint=_callback_hint)
        for deleted, present in activity.deleted:
            if best_re.match(deleted):
                expect(
                    any(best_re.match(name) and name != deleted for name in present),
                    part,
                    f"after epoch {epoch} the previous best-so-far file was deleted before the new one was saved: "
                    "a crash in between would leave no best checkpoint. Save the new best first, then delete the old",
                )
        if best_epoch == 0 or accuracy > _ACCURACIES[best_epoch - 1]:
            best_epoch = epoch
        names = sorted(path.name for path in folder.iterdir())
        strange = [name for name in names if not (periodic_re.match(name) or best_re.match(name))]
        expect(
            not strange,
            part,
            f"unexpected file name {strange[0] if strange else ''!r} after epoch {epoch}; use "
            "checkpoint_filename(model_name, stats.epoch, 100 * stats.val_acc) for the periodic files "
            "and checkpoint_filename(f'{model_name}-best', ...) for the best one",
        )
        bests = [name for name in names if best_re.match(name)]
        expect(
            len(bests) == 1,
            part,
            f"after epoch {epoch} there are {len(bests)} best-so-far files; keep exactly one "
            "(save the new best, then delete the previous one)",
        )
        found_epoch = int(best_re.match(bests[0]).group(2))
        expect(
            found_epoch == best_epoch,
            part,
            f"after epoch {epoch} the best-so-far file is from epoch {found_epoch}, but epoch {best_epoch} "
            f"had the best val_acc ({_ACCURACIES[best_epoch - 1]}; as the statement says, a later tie keeps the "
            "earlier file). Keep the best accuracy between calls and replace the file only when stats.val_acc is "
            "strictly higher (>, not >=)",
        )
        periodic = sorted(int(periodic_re.match(name).group(2)) for name in names if periodic_re.match(name))
        wanted = list(range(every, epoch + 1, every))
        expect(
            periodic == wanted,
            part,
            f"after epoch {epoch} the periodic checkpoints are from epochs {periodic}, expected {wanted} "
            f"(every {every} epochs: stats.epoch counts from 1)",
        )
    for path in sorted(folder.iterdir()):
        match = periodic_re.match(path.name) or best_re.match(path.name)
        epoch, accuracy_in_name = int(match.group(2)), float(match.group(3))
        expect(
            abs(accuracy_in_name - _ACCURACIES[epoch - 1]) > 0.006,
            part,
            f"{path.name}: write the accuracy in percent (100 * stats.val_acc), "
            "so that two decimals keep four significant digits",
        )
        expect(
            abs(accuracy_in_name - 100 * _ACCURACIES[epoch - 1]) < 0.006,
            part,
            f"{path.name}: the name should hold 100 * stats.val_acc = {100 * _ACCURACIES[epoch - 1]:.2f}",
        )
        try:
            payload = read_checkpoint(path)
        except CheckpointError as error:
            raise AssertionError(f"✗ {part}: {error}. Write the files with utils.save_checkpoint") from None
        expect(payload["epoch"] == epoch, part, f"{path.name} holds epoch {payload['epoch']}: pass epoch=stats.epoch")
        stored = payload["metrics"].get("val_acc")
        expect(
            stored == _ACCURACIES[epoch - 1],
            part,
            f"{path.name} should store val_acc=stats.val_acc ({_ACCURACIES[epoch - 1]}), found {shown(stored)}",
        )
        expect(
            payload["optimizer_state_dict"] is not None and payload["scheduler_state_dict"] is not None,
            part,
            f"{path.name} lacks the optimizer or scheduler: pass run.optimizer and run.scheduler",
        )


@self_check("3.4")
def check_checkpoint_callback(make_checkpoint_callback: Callable[..., Callable[[EpochStats], Any]]) -> None:
    """3.4: the callback keeps every-k-epochs checkpoints and exactly one best-so-far checkpoint, named as in the guide.

    Two callbacks run one after the other (in two folders): each must keep its own best accuracy.
    """
    part = "3.4"
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        _check_callback_run(part, make_checkpoint_callback, Path(first), "net")
        _check_callback_run(part, make_checkpoint_callback, Path(second), "other")
    passed(part, "checkpoints every 2 epochs plus one best-so-far file, named with epoch and accuracy")


@self_check("3.4")
def check_list_checkpoints(list_checkpoints: Callable[[Path], Iterable[tuple[Path, float]]]) -> None:
    """3.4: ``list_checkpoints(folder)`` returns ``(path, accuracy)`` for each ``*_accXX.XX.pth``, best first."""
    part = "3.4"
    accuracies = {
        "mlp_20250101_120000_epoch2_acc81.50.pth": 81.5,
        "mlp_20250101_120100_epoch4_acc9.50.pth": 9.5,
        "mlp_20250101_120200_epoch6_acc100.00.pth": 100.0,
        "mlp-best_20250101_120300_epoch7_acc85.75.pth": 85.75,
        "mlp_20250101_120400_epoch8_acc79.00.pth": 79.0,
    }
    others = ["mlp_20250101_120500_epoch9.pth", "notes.txt", "mlp_20250101_120600_epoch10_acc99.00.pth.tmp"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in [*accuracies, *others]:
            (folder / name).touch()
        result = call_student(part, list_checkpoints, folder)
        expect(result is not None, part, "list_checkpoints returned None: return the sorted list")
        expect(
            isinstance(result, Iterable) and not isinstance(result, (str, bytes, dict)),
            part,
            f"list_checkpoints should return a list of (path, accuracy) pairs, got {type(result).__name__}",
        )
        expect(
            isinstance(result, (list, tuple)),
            part,
            f"list_checkpoints returned a {type(result).__name__}: return a list, as the statement says (the notebook "
            "takes list_checkpoints(folder)[0]); sorted(...) gives one",
        )
        result = list(result)
        expect(
            all(isinstance(item, (tuple, list)) and len(item) == 2 for item in result),
            part,
            f"return a list of (path, accuracy) pairs, got {shown(result[:2])}",
        )
        for path, accuracy in result:
            expect(
                isinstance(accuracy, numbers.Real) and not isinstance(accuracy, bool),
                part,
                f"the accuracy should be a number parsed from the name (float(...)), got {shown(accuracy)}",
            )
            expect(
                isinstance(path, (str, Path)) and (folder / Path(path).name).exists() and Path(path).exists(),
                part,
                f"{path!r} is not the path of a file in the folder: return folder / name (or the glob's path), "
                "not the bare name",
            )
        pairs = [(Path(path).name, float(accuracy)) for path, accuracy in result]
        names = [name for name, _ in pairs]
        expect(
            not any(name in others for name in names),
            part,
            f"{[name for name in names if name in others]} should be skipped: only *.pth files whose name "
            "holds an accuracy count",
        )
        expect(
            sorted(names) == sorted(accuracies),
            part,
            f"found {sorted(names)}, expected the {len(accuracies)} .pth files with _acc in their name",
        )
        for name, accuracy in pairs:
            expect(
                abs(accuracy - accuracies[name]) < 1e-9,
                part,
                f"{name}: parsed accuracy {accuracy}, expected {accuracies[name]}",
            )
        values = [accuracy for _, accuracy in pairs]
        expect(
            values == sorted(values, reverse=True),
            part,
            f"not sorted best first: {values}. Sort by the number (float), highest first, not by the string",
        )
    passed(part, "list_checkpoints parses the accuracy from each name and sorts best first")


# --------------------------------------------------------------------------- 3.5 deployment


class _CondProbe(nn.Module):
    def __init__(self, fn: Callable[[torch.Tensor, float], torch.Tensor], limit: float) -> None:
        super().__init__()
        self.fn, self.limit = fn, limit

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.fn(h, self.limit)


def _cond_hint(error: BaseException) -> str:
    message = _message(error)
    if "alias" in message or "mutat" in message:
        return "A branch of torch.cond must not return an operand as it is: return h.clone()"
    if "data-dependent" in message or "guard" in message or "dynamic" in message or "symbolic" in message:
        return "An `if` on a tensor's value cannot be exported: write it as torch.cond(pred, true_fn, false_fn, (h,))"
    return (
        "With torch.cond, both branches take the same operands and return tensors of the same shape, and must not "
        "return an operand as it is (return h.clone())"
    )


@self_check("3.5")
def check_clip_with_cond(clip_with_cond: Callable[[torch.Tensor, float], torch.Tensor]) -> None:
    """3.5: ``clip_with_cond(h, limit)`` rescales ``h`` to norm ``limit`` when longer; exports with ``torch.cond``."""
    part = "3.5"
    generator = torch.Generator().manual_seed(3)
    cases = [
        (0.05 * torch.randn(4, 3, generator=generator), 1.0),
        (20 * torch.randn(4, 3, generator=generator), 1.0),
        (torch.randn(2, 5, generator=generator), 2.5),
        (7 * torch.randn(2, 5, generator=generator), 2.5),
    ]
    torch.compiler.reset()
    for h, limit in cases:
        got = call_student(part, clip_with_cond, h, limit, hint=_cond_hint)
        expect(isinstance(got, torch.Tensor), part, f"return a tensor, got {type(got).__name__}")
        # The reference: scale by min(1, limit / |h|), written without any branch.
        expected = h * torch.clamp(limit / h.norm(), max=1.0)
        size = "longer" if h.norm() > limit else "shorter"
        expect(
            got.shape == h.shape and torch.allclose(got, expected, rtol=1e-5, atol=1e-6),
            part,
            f"wrong result for an h {size} than the limit {limit} (|h| = {h.norm():.3g}, you return "
            f"|result| = {got.float().norm():.3g}): scale h by limit / |h| (its whole norm) when |h| > limit",
        )
    torch.compiler.reset()
    program = call_student(
        part,
        torch.export.export,
        _CondProbe(clip_with_cond, 1.0),
        (cases[1][0],),
        name="torch.export.export(a module calling your clip_with_cond)",
        hint=_cond_hint,
        seconds=LONG_CALL,
    )
    uses_cond = any(node.target is torch.ops.higher_order.cond for node in program.graph.nodes)
    expect(
        uses_cond,
        part,
        "the exported graph holds no torch.cond: a branch-free formula is fine for deployment, "
        "but this part practises torch.cond(pred, true_fn, false_fn, (h,))",
    )
    exported = program.module()
    for h, _ in cases[:2]:
        got = call_student(part, exported, h, name="the exported program")
        expect(
            torch.allclose(got, h * torch.clamp(1.0 / h.norm(), max=1.0), rtol=1e-5, atol=1e-6),
            part,
            "the exported program does not reproduce both branches",
        )
    passed(part, "clip_with_cond is right on both branches and exports with torch.cond")


def _export_hint(error: BaseException) -> str:
    message = _message(error)
    if "jit" in message or "torchscript" in message:
        return "This part uses torch.export (torch.export.export, .save, .load), not TorchScript's torch.jit"
    if "exportedprogram directly" in message or "not callable" in message:
        return "return the loaded program's .module(), which you call like the model"
    if "constraints violated" in message or "dynamic" in message or "specializ" in message:
        return "make only the batch dimension dynamic: dynamic_shapes=({0: torch.export.Dim('batch')},)"
    return ""


@self_check("3.5")
def check_export_and_reload(
    export_and_reload: Callable[[nn.Module, torch.Tensor, Path], Callable[[torch.Tensor], torch.Tensor]],
    model: nn.Module,
    inputs: Iterable[torch.Tensor],
) -> None:
    """3.5: ``export_and_reload(model, example, path)`` writes a ``.pt2`` whose loaded program matches ``model``.

    ``inputs``: tensors to compare on; the first is the export example, later ones may use
    other batch sizes (the batch dimension must be dynamic).
    """
    part = "3.5"
    inputs = list(inputs)
    expect(len(inputs) >= 1, part, "pass at least one input tensor")
    model.eval()
    torch.compiler.reset()  # a failed earlier export must not leave a stale compile cache behind
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.pt2"
        with watching(tmp) as activity:
            loaded = call_student(part, export_and_reload, model, inputs[0], path, hint=_export_hint, seconds=LONG_CALL)
        expect(path.is_file(), part, "nothing was written to `path`: torch.export.save(program, path)")
        try:
            torch.export.load(path)
        except Exception as error:  # noqa: BLE001 (any failure becomes a hint)
            raise AssertionError(
                f"✗ {part}: torch.export.load cannot read the file ({first_line(error)}); "
                "save the ExportedProgram with torch.export.save"
            ) from None
        expect(loaded is not model, part, "return the model loaded from the file (torch.export.load(path).module())")
        expect(
            callable(loaded) and not isinstance(loaded, torch.export.ExportedProgram),
            part,
            f"return something you call like the model: torch.export.load(path).module(), got {type(loaded).__name__}",
        )
        expect(
            not activity.observed_writes or path.name in activity.read,
            part,
            "export_and_reload never loaded the file it wrote: return torch.export.load(path).module(), so that "
            "what you return is what the file holds",
        )
        for x in inputs:
            with torch.no_grad():
                expected = model(x)
                batch = (
                    ""
                    if x.shape[0] == inputs[0].shape[0]
                    else (
                        f"A batch of {x.shape[0]} where the example had {inputs[0].shape[0]}: make the batch "
                        "dimension dynamic (dynamic_shapes=({0: torch.export.Dim('batch')},))"
                    )
                )
                got = call_student(part, loaded, x, name="the loaded program", hint=batch)
            expect(
                isinstance(got, torch.Tensor)
                and got.shape == expected.shape
                and torch.allclose(got, expected, rtol=1e-5, atol=1e-6),
                part,
                f"the loaded program's output differs from the model's for an input of shape {tuple(x.shape)}",
            )
    passed(part, f"the exported .pt2 reloads and reproduces the model on {len(inputs)} inputs")


# --------------------------------------------------------------------------- 3.6 inside PyTorch


def _node_name(name: Any) -> str:
    return str(name).split("::")[-1]  # AccumulateGrad.name() is "torch::autograd::AccumulateGrad"


def _graph_cases() -> list[tuple[str, torch.Tensor, dict[str, int]]]:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    c = torch.tensor([5.0, 6.0])  # no gradient: no node
    y = a * 2
    return [
        ("(a * 3).sum()", (a * 3).sum(), {"SumBackward0": 1, "MulBackward0": 1, "AccumulateGrad": 1}),
        (
            "(a * b + a).sum()",
            (a * b + a).sum(),
            {"SumBackward0": 1, "AddBackward0": 1, "MulBackward0": 1, "AccumulateGrad": 2},
        ),
        (
            "(a * c).exp().mean()",
            (a * c).exp().mean(),
            {"MeanBackward0": 1, "ExpBackward0": 1, "MulBackward0": 1, "AccumulateGrad": 1},
        ),
        (
            "y = a * 2; (y * y + y).sum()",
            (y * y + y).sum(),
            {"SumBackward0": 1, "AddBackward0": 1, "MulBackward0": 2, "AccumulateGrad": 1},
        ),
    ]


@self_check("3.6")
def check_graph_node_names(graph_node_names: Callable[[torch.Tensor], list[str]]) -> None:
    """3.6: ``graph_node_names(t)`` lists each node reachable from ``t.grad_fn`` once, the root first."""
    part = "3.6"
    for text, tensor, expected in _graph_cases():
        names = call_student(part, graph_node_names, tensor)
        expect(isinstance(names, (list, tuple)), part, f"return a list of names, got {type(names).__name__}")
        names = [_node_name(name) for name in names]
        counts: dict[str, int] = {}
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        total = sum(expected.values())
        expect(
            bool(names) and names[0] == type(tensor.grad_fn).__name__,
            part,
            f"for {text} start with the root, tensor.grad_fn ({type(tensor.grad_fn).__name__}); got {names[:1]}",
        )
        expect(
            not (len(names) > total and set(counts) == set(expected)),
            part,
            f"for {text} you list {len(names)} nodes, but the graph has {total}: a tensor used twice is one "
            "node; visit each node once (keep a set of the nodes seen)",
        )
        expect(
            counts == expected,
            part,
            f"for {text} expected the nodes {expected}, got {counts}. Follow node.next_functions "
            "(pairs (node, index); node is None for inputs that need no gradient) down to the leaves' AccumulateGrad; "
            "two different nodes may have the same name, so remember the nodes seen, not their names",
        )
    leaf = call_student(part, graph_node_names, torch.tensor([1.0], requires_grad=True))
    expect(
        isinstance(leaf, (list, tuple)) and list(leaf) == [],
        part,
        f"a leaf tensor has no grad_fn: return [] (got {shown(leaf)})",
    )
    passed(part, "graph_node_names walks grad_fn.next_functions and lists each node once")


class _Failing(nn.Module):
    """A layer whose forward pass raises, as a shape mistake would."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise RuntimeError("a layer failed during the forward pass (on purpose, by the self-check)")


def _expected_stats(model: nn.Module, inputs: torch.Tensor) -> dict[str, dict[str, float]]:
    """The statistics the hooks should record, without hooks: the layers applied one after another by
    ``itertools.accumulate``, each output summarised in float64 (``torch.std_mean``, ``count_nonzero``)."""
    outputs = itertools.accumulate(model.layers, lambda signal, layer: layer(signal), initial=inputs.flatten(1))
    summaries = {}
    for position, signal in enumerate(list(outputs)[1:]):
        values = signal.double().flatten()
        spread, centre = torch.std_mean(values)
        silent = values.numel() - int(torch.count_nonzero(values))
        share = silent / values.numel()
        summaries[f"layers.{position}"] = {"mean": float(centre), "std": float(spread), "zeros": share}
    return summaries


def _leftover_hooks(model: nn.Module) -> list[str]:
    return [name or "model" for name, module in model.named_modules() if module._forward_hooks]


@self_check("3.6")
def check_activation_stats(
    record_activation_stats: Callable[[nn.Module, torch.Tensor], dict[str, dict[str, float]]],
    model: nn.Module | None = None,
    inputs: torch.Tensor | None = None,
) -> None:
    """3.6: forward hooks record mean, std and fraction of zeros of every ``model.layers[i]``'s output; removed after,
    also when the forward pass raises.

    Without ``model``/``inputs`` a small network with batch norm and random inputs are used.
    """
    part = "3.6"
    if model is None:
        model = _small_net(30, batch_norm=True, dropout=0.3)
    if inputs is None:
        inputs = torch.randn(64, 6, generator=torch.Generator().manual_seed(30))
    model.eval()
    with torch.no_grad():
        before = model(inputs)
        expected = _expected_stats(model, inputs)
    stats = call_student(part, record_activation_stats, model, inputs)
    leftover = _leftover_hooks(model)
    expect(
        not leftover,
        part,
        f"hooks are still registered on {leftover}: keep the handles that register_forward_hook returns "
        "and call handle.remove() (in a finally: block)",
    )
    expect(isinstance(stats, dict), part, f"return a dict, got {type(stats).__name__}")
    expect(
        sorted(stats) == sorted(expected),
        part,
        f"expected one entry per layer named {list(expected)}, got {list(stats)}",
    )
    for name, want in expected.items():
        got = stats[name]
        expect(
            isinstance(got, dict) and {"mean", "std", "zeros"} <= set(got),
            part,
            f"{name}: expected a dict with 'mean', 'std' and 'zeros', got {shown(got)}",
        )
        for key, tolerance in (("mean", 1e-4), ("std", 2e-2), ("zeros", 1e-6)):
            value = got[key]
            expect(
                isinstance(value, numbers.Real) and not isinstance(value, bool),
                part,
                f"{name}: {key} should be a Python float (.item()), got {type(value).__name__}",
            )
            ok = abs(float(value) - want[key]) <= tolerance * max(1.0, abs(want[key]))
            expect(
                ok,
                part,
                f"{name} ({type(model.layers[int(name.split('.')[1])]).__name__}): {key} is {float(value):.4g}, "
                f"expected {want[key]:.4g}. Record the statistics of the hook's `output` argument",
            )
    with torch.no_grad():
        expect(torch.equal(model(inputs), before), part, "the model's output changed: a hook must not modify it")

    # A forward pass that raises: the hooks must go all the same.
    failing = _small_net(31, batch_norm=True)
    failing.layers.append(_Failing())
    failing.eval()
    with contextlib.suppress(AssertionError):
        call_student(part, record_activation_stats, failing, inputs)
    leftover = _leftover_hooks(failing)
    expect(
        not leftover,
        part,
        f"when the forward pass raised, the hooks stayed registered on {leftover}: remove them in a finally: block "
        "(try: run the model / finally: handle.remove() for every handle)",
    )
    passed(part, f"forward hooks recorded mean/std/zeros for all {len(expected)} layers and were removed")


@self_check("3.6")
def check_scaled_linear(scaled_linear_class: Callable[[int, int], nn.Module]) -> None:
    """3.6: ``ScaledLinear(n_in, n_out)``: a Linear whose output is multiplied by a learnable ``scale`` (ones)."""
    part = "3.6"
    torch.manual_seed(40)
    module = call_student(part, scaled_linear_class, 3, 2)
    expect(isinstance(module, nn.Module), part, "ScaledLinear should be an nn.Module")
    scale = getattr(module, "scale", None)
    expect(isinstance(scale, torch.Tensor), part, "give the module an attribute `scale`")
    expect(
        scale.numel() == 2 and tuple(torch.broadcast_shapes(scale.shape, (5, 2))) == (5, 2),
        part,
        f"scale should have one entry per output, shape (n_out,) = (2,); got shape {tuple(scale.shape)}",
    )
    expect(
        torch.equal(scale.detach().reshape(-1), torch.ones(2, dtype=scale.dtype)),
        part,
        f"scale should start as torch.ones(n_out); got {[float(number(v)) for v in scale.detach().reshape(-1).tolist()][:8]}",
    )
    names = [name for name, _ in module.named_parameters()]
    expect(
        "scale" in names,
        part,
        f"`scale` is not among the parameters ({names}): a plain tensor attribute (or a buffer) is invisible to "
        "parameters(), so the optimizer never updates it; wrap it in nn.Parameter",
    )
    expect("scale" in module.state_dict(), part, "`scale` should be saved in the state_dict")
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(41))
    linear = [m for m in module.modules() if isinstance(m, nn.Linear)]
    expect(len(linear) == 1, part, "use exactly one nn.Linear(n_in, n_out)")
    with torch.no_grad():
        scale.mul_(torch.tensor([2.0, -1.0]).reshape(scale.shape))
        out = call_student(part, module, x, name="ScaledLinear.forward")
        expect(
            isinstance(out, torch.Tensor) and torch.allclose(out, linear[0](x) * scale),
            part,
            "forward should return self.linear(x) * self.scale",
        )
        scale.fill_(1.0)
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    call_student(part, module, x, name="ScaledLinear.forward").sum().backward()
    optimizer.step()
    expect(
        not torch.equal(module.scale.detach().reshape(-1), torch.ones(2)),
        part,
        "one optimizer step left `scale` unchanged: it must be a parameter that requires grad (nn.Parameter)",
    )
    passed(part, "ScaledLinear.scale is an nn.Parameter: in parameters(), in the state_dict, updated by the optimizer")

"""Every self-check against a corpus of realistic answers: ✓ for each right one, ✗ for each wrong one.

``tests/corpus/<check>/`` holds one small file per answer, named ``right_*.py`` or
``wrong_*.py`` (the verdict). A file defines only the functions it changes; the others are
the notebook's solutions. It runs in the notebook's namespace (its imports), as student code
does. A wrong answer may say, in a ``# hint: <regex>`` line, what the ✗ message must mention.

The test: a right answer passes with one ``✓ <part>`` line; a wrong one raises an
``AssertionError`` starting with ``✗ <part>:``; nothing ever raises anything else (a raw
traceback) or leaves a global setting changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from notebook_functions import notebook_definitions, run_check
from torch import nn

from utils import checks

CORPUS = Path(__file__).resolve().parent / "corpus"
_HINT = re.compile(r"^# hint: (.+)$", re.MULTILINE)


def _cpu(namespace: dict[str, Any]) -> list[Any]:
    return ["cpu"]


def _resume_context(namespace: dict[str, Any]) -> list[Any]:
    """A tiny run for ``check_resume``: dropout, a shuffling loader, momentum and a scheduler, on the CPU."""
    generator = torch.Generator().manual_seed(5)
    images = torch.randn(96, 1, 4, 4, generator=generator)
    labels = torch.randint(0, 3, (96,), generator=generator)
    loader_class = namespace["TensorBatchLoader"]

    def new_run() -> SimpleNamespace:
        torch.manual_seed(0)
        model = nn.Sequential(nn.Flatten(), nn.Linear(16, 12), nn.ReLU(), nn.Dropout(0.3), nn.Linear(12, 3))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        loader = loader_class(images, labels, batch_size=16, shuffle=True)
        return SimpleNamespace(model=model, optimizer=optimizer, scheduler=scheduler, loader=loader)

    def train_epochs(run: SimpleNamespace, first: int, last: int) -> None:
        for _ in range(first, last):
            run.model.train()
            for x, y in run.loader:
                run.optimizer.zero_grad()
                nn.functional.cross_entropy(run.model(x), y).backward()
                run.optimizer.step()
            run.scheduler.step()

    straight = new_run()
    train_epochs(straight, 0, 4)
    return [new_run, train_epochs, straight, 4, 2]


def _export_context(namespace: dict[str, Any]) -> list[Any]:
    torch.manual_seed(0)
    model = namespace["ClipNormCond"]().eval()
    generator = torch.Generator().manual_seed(1)
    inputs = [10 * torch.randn(4, 8, generator=generator), 0.1 * torch.randn(4, 8, generator=generator)]
    return [model, [*inputs, 10 * torch.randn(7, 8, generator=generator)]]


@dataclass(frozen=True)
class Check:
    question: int
    part: str
    name: str
    functions: tuple[str, ...]
    extra: Callable[[dict[str, Any]], list[Any]] | None = None


CHECKS = {
    "q1_1": Check(1, "1.1", "check_tensors", ("share_and_copy", "hwc_to_nchw", "flatten_images", "normalize_channels")),
    "q1_2": Check(1, "1.2", "check_autograd", ("numerical_grad", "vector_backward")),
    "q1_3": Check(1, "1.3", "check_stopping_gradients", ("sgd_step", "zero_grad", "to_numpy"), _cpu),
    "q1_4_linear": Check(1, "1.4", "check_linear_forward", ("linear_forward",)),
    "q1_4_cross_entropy": Check(1, "1.4", "check_cross_entropy_loss", ("cross_entropy_loss",)),
    "q1_5": Check(1, "1.5", "check_matmul_on", ("matmul_on",), _cpu),
    "q2_1": Check(2, "2.1", "check_data", ("pixel_mean_std", "make_transform")),
    "q2_2": Check(2, "2.2", "check_mlp", ("MLP", "make_sequential")),
    "q2_3": Check(2, "2.3", "check_loss", ("make_criterion", "predict_proba", "MLP")),
    "q2_4": Check(2, "2.4", "check_training_loop", ("train_one_epoch", "evaluate")),
    "q2_5": Check(2, "2.5", "check_experiment_setup", ("make_optimizer", "apply_init", "make_scheduler")),
    "q2_6_final": Check(2, "2.6", "check_final_setup", ("build_final_model",), _cpu),
    "q2_6_confusion": Check(2, "2.6", "check_confusion_counts", ("confusion_counts",)),
    "q3_1_summary": Check(3, "3.1", "check_state_dict_summary", ("state_dict_summary",)),
    "q3_1_reload": Check(3, "3.1", "check_reload_weights", ("reload_weights",)),
    "q3_2": Check(3, "3.2", "check_checkpoint_roundtrip", ("save_checkpoint", "load_checkpoint")),
    "q3_3": Check(3, "3.3", "check_resume", ("save_training_state", "load_training_state"), _resume_context),
    "q3_4_callback": Check(3, "3.4", "check_checkpoint_callback", ("make_checkpoint_callback",)),
    "q3_4_list": Check(3, "3.4", "check_list_checkpoints", ("list_checkpoints",)),
    "q3_5_cond": Check(3, "3.5", "check_clip_with_cond", ("clip_with_cond",)),
    "q3_5_export": Check(3, "3.5", "check_export_and_reload", ("export_and_reload",), _export_context),
    "q3_6_graph": Check(3, "3.6", "check_graph_node_names", ("graph_node_names",)),
    "q3_6_stats": Check(3, "3.6", "check_activation_stats", ("record_activation_stats",)),
    "q3_6_scaled": Check(3, "3.6", "check_scaled_linear", ("ScaledLinear",)),
}


def _answers() -> list[Any]:
    return [
        pytest.param(path, id=f"{path.parent.name}/{path.stem}")
        for folder in sorted(CORPUS.iterdir())
        if folder.is_dir()
        for path in sorted(folder.glob("*.py"))
    ]


def test_every_check_has_its_corpus():
    """At least 5 wrong and 2 right answers for every check, and no folder without a check."""
    folders = {folder.name for folder in CORPUS.iterdir() if folder.is_dir() and not folder.name.startswith("_")}
    assert folders == set(CHECKS), f"corpus folders {sorted(folders ^ set(CHECKS))} do not match the checks"
    for name in CHECKS:
        wrong = list((CORPUS / name).glob("wrong_*.py"))
        right = list((CORPUS / name).glob("right_*.py"))
        assert len(wrong) >= 5 and len(right) >= 2, f"{name}: {len(wrong)} wrong and {len(right)} right answers"
    assert {name for name in dir(checks) if name.startswith("check_")} == {c.name for c in CHECKS.values()}


@pytest.mark.parametrize("path", _answers())
def test_answer_gets_its_verdict(path: Path):
    check = CHECKS[path.parent.name]
    verdict = path.stem.split("_", 1)[0]
    assert verdict in ("right", "wrong"), f"{path.name}: name it right_*.py or wrong_*.py"
    source = path.read_text()
    namespace = notebook_definitions(check.question)
    exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 (a corpus answer, like a notebook cell)
    arguments = [namespace[name] for name in check.functions]
    extra = check.extra(namespace) if check.extra else []
    dtype, grad = torch.get_default_dtype(), torch.is_grad_enabled()
    try:
        out = run_check(getattr(checks, check.name), *arguments, *extra)
    except AssertionError as error:
        message = str(error)
        assert verdict == "wrong", f"a right answer was refused: {message}"
        assert message.startswith(f"✗ {check.part}: "), f"not a ✗ {check.part} line: {message!r}"
        hint = _HINT.search(source)
        if hint:
            assert re.search(hint.group(1), message, re.IGNORECASE), f"{hint.group(1)!r} not in {message!r}"
    else:
        assert verdict == "right", f"a wrong answer was accepted: {out!r}"
        lines = out.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"✓ {check.part} "), f"expected one ✓ line, got {out!r}"
    assert (torch.get_default_dtype(), torch.is_grad_enabled()) == (dtype, grad), "the check left a setting changed"

"""What the self-check tests share: the notebooks' own definitions and the three verdicts of a check.

``notebook_definitions(question)`` runs the imports, ``def`` and ``class`` statements (and
constant assignments) of every code cell of a question notebook (nothing else: no training,
no plots) into a fresh namespace,
so the tests use the notebook's solutions (``student=False``) or the handout's stubs
(``student=True``, made by ``tools/make_student.py``) and hold no second copy of an answer.
With ``student=True`` the names the notebook imports from the student's files of ``utils``
(``MLP``, ``train_one_epoch``, ``evaluate``) are the handout's stubs too (:func:`handout_module`).

A check has three verdicts: :func:`assert_passes` (one ``✓ <part>`` line),
:func:`assert_fails` (``AssertionError("✗ <part>: ...")``) and :func:`assert_unfinished`
(``NotImplementedError("Q<part> is not finished: <function>() ...")``).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import nbformat
import pytest
import torch
from torch import nn

from grading.handout import make_student_module
from utils import checks

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = {question: ROOT / "notebooks" / f"hw08-q0{question}.ipynb" for question in (1, 2, 3)}
_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _without_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


#: The files of ``utils`` whose solution regions are the student's (questions 2.2 and 2.4).
STUDENT_MODULES = ("utils/models.py", "utils/training.py")


@functools.cache
def handout_module(name: str) -> ModuleType:
    """The handout's version of ``utils/<name>`` (its stubs), as a module of the ``utils`` package.

    Written to a temporary ``utils/`` folder first, so tracebacks and the checks see a file named
    ``utils/models.py`` (the student's file) holding the stub lines.
    """
    relative = f"utils/{name}"
    text, _ = make_student_module().student_module((ROOT / relative).read_text(encoding="utf-8"), relative)
    folder = Path(tempfile.mkdtemp(prefix="hw08-handout-utils-")) / "utils"
    folder.mkdir()
    path = folder / name
    path.write_text(text, encoding="utf-8")
    module = ModuleType(f"utils._handout_{Path(name).stem}")
    module.__file__, module.__package__ = str(path), "utils"
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(text, str(path), "exec"), module.__dict__)  # noqa: S102 (the handout's own stub file)
    return module


def handout_utils_names(namespace: dict[str, Any]) -> None:
    """Replace the names ``namespace`` imported from the student's ``utils`` files with the handout's stubs."""
    import utils

    for relative in STUDENT_MODULES:
        stub = handout_module(Path(relative).name)
        for name, value in list(namespace.items()):
            if hasattr(stub, name) and getattr(utils, name, None) is value and callable(value):
                namespace[name] = getattr(stub, name)


@functools.cache
def _definitions(question: int, student: bool) -> dict[str, Any]:
    path = NOTEBOOKS[question]
    notebook = make_student_module().student_notebook(path)[0] if student else nbformat.read(path, as_version=4)
    module = ModuleType(f"hw08_q0{question}{'_student' if student else ''}")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    namespace = module.__dict__
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for node in ast.parse(_without_magics(cell.source)).body:
            constant = (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and all(isinstance(target, ast.Name) for target in node.targets)
            )
            if isinstance(node, _DEFINITIONS) or constant:
                code = compile(ast.Module([node], type_ignores=[]), f"{path.name}, cell {index}", "exec")
                exec(code, namespace)  # noqa: S102 (the notebook's own cells)
                if student and isinstance(node, ast.ImportFrom) and node.module == "utils":
                    handout_utils_names(namespace)
    return namespace


def notebook_definitions(question: int, student: bool = False) -> dict[str, Any]:
    """A fresh namespace with the notebook's imports, functions and classes (solutions, or stubs if ``student``)."""
    return dict(_definitions(question, student))


def run_check(check: Callable[..., Any], *args: Any) -> str:
    """Run a check; return what it printed."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        check(*args)
    return output.getvalue()


def assert_passes(part: str, check: Callable[..., Any], *args: Any) -> str:
    """The check prints exactly one line, ``✓ <part> ...``; returns it."""
    out = run_check(check, *args)
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"✓ {part} "), f"expected one ✓ {part} line, got {out!r}"
    return lines[0]


def assert_fails(part: str, check: Callable[..., Any], *args: Any, hint: str = "") -> str:
    """The check raises ``AssertionError("✗ <part>: ...")`` whose message matches the regex ``hint``; returns it."""
    with pytest.raises(AssertionError) as caught:
        run_check(check, *args)
    message = str(caught.value)
    assert message.startswith(f"✗ {part}: "), f"expected a ✗ {part} line, got {message!r}"
    assert re.search(hint, message, re.IGNORECASE | re.DOTALL), f"hint {hint!r} not in {message!r}"
    return message


def assert_unfinished(part: str, function: str, check: Callable[..., Any], *args: Any) -> None:
    """The check raises ``NotImplementedError`` naming the part and the unfinished function."""
    with pytest.raises(NotImplementedError, match=rf"^Q{re.escape(part)} is not finished: {re.escape(function)}\(\)"):
        run_check(check, *args)


# --------------------------------------------------------------------------- every check and its arguments


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


def check_arguments(key: str, namespace: dict[str, Any], **replace: Any) -> tuple[Callable[..., Any], list[Any]]:
    """``(checks.<check>, its arguments)`` for ``CHECKS[key]``: the namespace's functions, ``replace``'s instead."""
    check = CHECKS[key]
    functions = [replace.get(name, namespace[name]) for name in check.functions]
    return getattr(checks, check.name), [*functions, *(check.extra(namespace) if check.extra else [])]

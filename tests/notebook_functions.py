"""What the self-check tests share: the notebooks' own definitions and the three verdicts of a check.

``notebook_definitions(question)`` runs the imports, ``def`` and ``class`` statements (and
constant assignments) of every code cell of a question notebook (nothing else: no training,
no plots) into a fresh namespace,
so the tests use the notebook's solutions (``student=False``) or the handout's stubs
(``student=True``, made by ``tools/make_student.py``) and hold no second copy of an answer.

A check has three verdicts: :func:`assert_passes` (one ``✓ <part>`` line),
:func:`assert_fails` (``AssertionError("✗ <part>: ...")``) and :func:`assert_unfinished`
(``NotImplementedError("Q<part> is not finished: <function>() ...")``).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib.util
import io
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = {question: ROOT / "notebooks" / f"hw08-q0{question}.ipynb" for question in (1, 2, 3)}
_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def make_student_module() -> ModuleType:
    """``tools/make_student.py`` imported as a module."""
    spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _without_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


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

"""The trusted half of grading: references and hidden cases in the grader's own process.

The grader process never executes student code. For each question notebook it builds the
reference solution once (:func:`references`: the handout's setup cell, the solution
notebook's cells and the handout cells they need, run here), and for each graded part it
runs the part's hidden cases (:func:`run_part`) against those references, reaching the
student's functions only through the data channel (:mod:`grading.channel`). The verdict
records made here are the only ones that give points; nothing the kernel prints or
displays can add to them.
"""

from __future__ import annotations

import contextlib
import io
import random
import threading
import time
import traceback
from collections.abc import Iterator
from typing import Any

from . import cells, hidden
from .assemble import PlannedCell, _select
from .channel import KernelGone, Refused, Remote, RequestTimeout, StudentFailure, TrustedLock
from .handout import HandoutNotebook

MESSAGE_LIMIT = 400

#: One lock for the whole grader process: one hidden case computes here at a time.
LOCK = TrustedLock()

_built: dict[tuple[str, int], dict[str, Any]] = {}
_building = threading.Lock()


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def describe_failure(error: BaseException) -> str:
    """One line for the feedback: what went wrong in a hidden case."""
    if isinstance(error, hidden.MissingName):
        return f"{error.name} is not defined: keep the notebook's names (was it renamed or deleted?)"
    if isinstance(error, StudentFailure):
        if error.kind == "missing":
            return f"{error.message} is not defined: keep the notebook's names (was it renamed or deleted?)"
        if error.kind == "unanswered":
            return f"not answered yet ({error.message or 'NotImplementedError'})"
        if error.kind == "exit":
            return "the code called exit()"
        if error.kind == "assertion":
            return error.message or "an assert failed"
        return error.message or "an error"
    if isinstance(error, Refused):
        return f"refused: {_first_line(error)}"
    if isinstance(error, NameError) and getattr(error, "name", None):
        return f"{error.name} is not defined: keep the notebook's names (was it renamed or deleted?)"
    if isinstance(error, NotImplementedError):
        return f"not answered yet ({_first_line(error) or 'NotImplementedError'})"
    if isinstance(error, AssertionError):
        return _first_line(error) or "an assert failed"
    if isinstance(error, SystemExit):
        return "the code called exit()"
    return f"{type(error).__name__}: {_first_line(error)}".rstrip(": ")


@contextlib.contextmanager
def isolated() -> Iterator[None]:
    """Own random state, default dtype and grad mode for one hidden case; restored afterwards."""
    import numpy as np
    import torch

    python_state, numpy_state = random.getstate(), np.random.get_state()
    dtype, grad = torch.get_default_dtype(), torch.is_grad_enabled()
    try:
        with torch.random.fork_rng():
            yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        torch.set_default_dtype(dtype)
        torch.set_grad_enabled(grad)


def _python(source: str) -> str:
    """A cell's source without IPython magics and shell lines (the grader's process has no IPython shell)."""
    kept = []
    for line in cells.without_shell(source).split("\n"):
        stripped = line.lstrip()
        kept.append(line[: len(line) - len(stripped)] + "pass" if stripped.startswith("%") else line)
    return "\n".join(kept)


def reference_cells(notebook: HandoutNotebook) -> list[str]:
    """The sources the reference runs: the setup cell, every solution cell, and the handout cells they need."""
    planned = []
    for cell in notebook.cells:
        if cell.kind == "setup":
            planned.append(PlannedCell("setup", None, cell.source, "setup"))
        elif cell.kind == "solution":
            planned.append(PlannedCell("student", cell.part, cell.solution, "solution"))
        elif cell.kind in ("check", "other"):
            planned.append(PlannedCell("other", cell.part, cell.source, "other"))
    parts = {c.part for c in notebook.cells if c.part}
    uses = frozenset().union(*(case.uses for part in parts for case in hidden.CASES.get(part, [])))
    planned.append(PlannedCell("student", None, "", "the names the hidden cases use", uses=uses))
    roots = {i for i, p in enumerate(planned) if p.kind != "other"}
    needed = _select(planned, roots)
    return [_python(p.source) for i, p in enumerate(planned) if i in needed]


def references(notebook: HandoutNotebook) -> dict[str, Any]:
    """The reference namespace of ``notebook``, built once per grader process (instructor code only)."""
    key = (notebook.name, id(notebook))
    with _building:
        if key not in _built:
            scope: dict[str, Any] = {"__name__": "__main__"}
            with LOCK, isolated(), contextlib.redirect_stderr(io.StringIO()):
                for index, source in enumerate(reference_cells(notebook)):
                    exec(compile(source, f"<reference cell {index}>", "exec"), scope)  # noqa: S102 (the instructor's cells)
            _built[key] = scope
        return _built[key]


def run_part(
    part: str,
    remote: Remote,
    notebook: HandoutNotebook,
    settings: dict[str, Any],
    verdicts: dict[str, bool],
    case_verdicts: dict[str, bool],
) -> dict[str, Any]:
    """Run ``part``'s hidden cases against the reference; the verdict record (``kernel_gone`` set if the kernel is)."""
    began = time.perf_counter()
    record: dict[str, Any] = {"kind": "hidden", "part": part}
    try:
        reference = references(notebook)
    except Exception as error:  # noqa: BLE001 (the grader's own problem, reported as such)
        return {
            **record,
            "passed": False,
            "grader_error": _short(f"the reference solution of {part} does not run: {traceback.format_exc(limit=-1)}"),
            "message": _short(f"{type(error).__name__}: {error}"),
            "seconds": time.perf_counter() - began,
        }
    failures: list[str] = []
    report: dict[str, Any] = {}
    cases = hidden.CASES.get(part, [])
    gone = ""
    channel = remote._channel
    for case in cases:
        if gone:
            failures.append(f"{case.name}: not graded ({gone})")
            continue
        ctx = hidden.Context(
            student=remote,
            reference=hidden.Names(reference),
            settings=settings,
            report=report,
            verdicts=dict(verdicts),
            cases=dict(case_verdicts),
        )
        channel.deadline = time.monotonic() + case.seconds if case.seconds else float("inf")
        passed = False
        try:
            with LOCK, isolated():  # (the lock also drops what the reference prints)
                case.run(ctx)
            passed = True
        except RequestTimeout:
            failures.append(f"{case.name}: ran over its {case.seconds:g} s limit (an endless loop?)")
        except KernelGone as error:
            gone = str(error)
            failures.append(f"{case.name}: {gone}")
        except Exception as error:  # noqa: BLE001 (every failure becomes the part's message)
            failures.append(f"{case.name}: {describe_failure(error)}")
        finally:
            ctx.cleanup()
            channel.deadline = float("inf")
        case_verdicts[f"{part} {case.name}"] = passed
    return {
        **record,
        "passed": not failures,
        "message": _short(failures[0]) if failures else "",
        "failed": len(failures),
        "cases": len(cases),
        "report": report,
        "kernel_gone": gone,
        "seconds": time.perf_counter() - began,
    }


class Judge:
    """The hidden cases of one graded notebook, part after part (``executor.execute``'s ``judge``)."""

    lock = LOCK

    def __init__(self, notebook: HandoutNotebook, settings: dict[str, Any]) -> None:
        self.notebook = notebook
        self.settings = settings
        self.verdicts: dict[str, bool] = {}
        self.cases: dict[str, bool] = {}

    def __call__(self, part: str, remote: Remote) -> dict[str, Any]:
        record = run_part(part, remote, self.notebook, self.settings, self.verdicts, self.cases)
        self.verdicts[part] = bool(record["passed"])
        return record

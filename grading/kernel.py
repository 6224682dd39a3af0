"""What runs inside a grading kernel, called from the graded notebook's grader cells.

* :func:`start` (the first cell, before any student code): limit torch's threads, check
  that ``utils`` is the handout's copy, and install the file-access guard.
* :func:`visible` (in place of each self-check cell): run the handout's self-check cell;
  record ✓, or ✗ with the check's own message.
* :func:`hidden` (after each part): build the reference functions from the solution
  notebook's cells in a copy of the notebook's globals, run the part's hidden cases, record.
* :func:`finish` (the last cell): record the refused file accesses.

Records reach the grader as ``display_data`` of MIME type :data:`MIME`, stamped with the
run's nonce; every other output of the notebook is ignored by the grader.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import signal
import sys
import time
import traceback
from collections.abc import Iterator
from typing import Any

from . import guard
from . import hidden as hidden_cases

MIME = "application/vnd.hw08.grading+json"
MESSAGE_LIMIT = 400

_state: dict[str, Any] = {"refusals": [], "nonce": "", "settings": {}, "verdicts": {}}


class CaseTimeout(BaseException):
    """A hidden case ran past its time limit (a BaseException, so student code cannot swallow it)."""


def _emit(record: dict[str, Any]) -> None:
    from IPython.display import display

    record = {**record, "nonce": _state["nonce"], "refusals": list(_state["refusals"])}
    if "part" in record:
        verdicts = _state["verdicts"]
        verdicts[record["part"]] = verdicts.get(record["part"], True) and bool(record.get("passed"))
    display({MIME: record}, raw=True)


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def start(config: dict[str, Any], namespace: dict[str, Any]) -> None:
    """Set up the kernel: threads, the handout's ``utils``, the file-access guard."""
    import torch

    _state["nonce"] = config["nonce"]
    _state["settings"] = dict(config.get("settings", {}))
    threads = int(config["threads"])
    torch.set_num_threads(threads)
    with contextlib.suppress(RuntimeError):  # only possible before any parallel work
        torch.set_num_interop_threads(1)
    import utils
    import utils.checks

    sandbox = os.path.realpath(config["sandbox"])
    if not os.path.realpath(utils.__file__).startswith(sandbox + os.sep):
        raise RuntimeError(f"grading kernel imported utils from {utils.__file__}, not from its sandbox")
    _state["checks"] = utils.checks
    policy = guard.Policy(
        sandbox=sandbox,
        read_roots=(*config["read_roots"], *guard.python_roots()),
        protected=tuple(config["protected"]),
    )
    sys.path[:] = [p for p in sys.path if not p or policy.may_read(os.path.realpath(p))]
    sys.path_importer_cache.clear()
    guard.install(policy, _refused)


def _refused(what: str) -> None:
    refusals = _state["refusals"]
    if what not in refusals and len(refusals) < 50:
        refusals.append(what)


def _describe_failure(error: BaseException) -> str:
    if isinstance(error, NameError) and getattr(error, "name", None):
        return f"{error.name} is not defined: keep the notebook's names (was it renamed or deleted?)"
    if isinstance(error, hidden_cases.MissingName):
        return f"{error.name} is not defined: keep the notebook's names (was it renamed or deleted?)"
    if isinstance(error, NotImplementedError):
        return f"not answered yet ({_first_line(error) or 'NotImplementedError'})"
    if isinstance(error, AssertionError):
        return _first_line(error) or "an assert failed"
    if isinstance(error, SystemExit):
        return "the code called exit()"
    return f"{type(error).__name__}: {_first_line(error)}".rstrip(": ")


def visible(part: str, source: str, namespace: dict[str, Any]) -> None:
    """Run the handout's self-check cell ``source`` for ``part`` in the notebook's globals; record its verdict.

    ``checks`` is the handout's module while it runs, whatever the notebook bound to that name.
    """
    missing = object()
    bound = namespace.get("checks", missing)
    namespace["checks"] = _state["checks"]
    began = time.perf_counter()
    try:
        exec(compile(source, f"<self-check {part}>", "exec"), namespace)  # noqa: S102 (the handout's own cell)
    except (Exception, SystemExit) as error:  # noqa: BLE001 (every failure becomes the part's message)
        passed, message = False, _describe_failure(error)
    else:
        passed, message = True, ""
    finally:
        if bound is missing:
            namespace.pop("checks", None)
        else:
            namespace["checks"] = bound
    _emit(
        {
            "kind": "visible",
            "part": part,
            "passed": passed,
            "message": _short(message),
            "seconds": time.perf_counter() - began,
        }
    )


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    if not seconds or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise CaseTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _isolated() -> Iterator[None]:
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


def _reference(sources: list[str], namespace: dict[str, Any]) -> dict[str, Any]:
    """The solution notebook's cells run in a copy of the notebook's globals."""
    scope = dict(namespace)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for index, source in enumerate(sources):
            exec(compile(source, f"<reference cell {index}>", "exec"), scope)  # noqa: S102 (the instructor's cells)
    return scope


def hidden(part: str, reference_sources: list[str], namespace: dict[str, Any]) -> None:
    """Run ``part``'s hidden cases against the references built from ``reference_sources``; record."""
    began = time.perf_counter()
    try:
        with _isolated():
            reference = _reference(reference_sources, namespace)
    except Exception as error:  # noqa: BLE001 (the grader's own problem, reported as such)
        _emit(
            {
                "kind": "hidden",
                "part": part,
                "passed": False,
                "grader_error": _short(
                    f"the reference solution of {part} does not run: {traceback.format_exc(limit=-1)}"
                ),
                "message": _short(f"{type(error).__name__}: {error}"),
                "seconds": time.perf_counter() - began,
            }
        )
        return
    failures: list[str] = []
    report: dict[str, Any] = {}
    cases = hidden_cases.CASES.get(part, [])
    for case in cases:
        ctx = hidden_cases.Context(
            student=hidden_cases.Names(namespace),
            reference=hidden_cases.Names(reference),
            namespace=namespace,
            settings=_state["settings"],
            report=report,
            verdicts=dict(_state["verdicts"]),
        )
        try:
            with _isolated(), _time_limit(case.seconds), contextlib.redirect_stdout(io.StringIO()):
                case.run(ctx)
        except CaseTimeout:
            failures.append(f"{case.name}: ran over its {case.seconds:g} s limit (an endless loop?)")
        except (Exception, SystemExit) as error:  # noqa: BLE001 (every failure becomes the part's message)
            failures.append(f"{case.name}: {_describe_failure(error)}")
        finally:
            ctx.cleanup()
    _emit(
        {
            "kind": "hidden",
            "part": part,
            "passed": not failures,
            "message": _short(failures[0]) if failures else "",
            "failed": len(failures),
            "cases": len(cases),
            "report": report,
            "seconds": time.perf_counter() - began,
        }
    )


def finish(namespace: dict[str, Any]) -> None:
    """Record the end of the notebook and the file accesses the guard refused."""
    _emit({"kind": "finish"})

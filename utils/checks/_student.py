"""The one way a self-check runs student code: :func:`call_student`.

Whatever the student's function does, the check gets its result or one of two exceptions:

* ``NotImplementedError("Q<part> is not finished: <name>() ...")`` when the code still
  raises the handout's stub ``NotImplementedError``;
* ``AssertionError("✗ <part>: ...")`` for everything else: an exception (its type, its
  meaningful line and the line of student code it came from, then a hint), a failed
  ``assert`` of the student's own, a call that runs past its time limit (an endless loop
  is stopped, not waited for), or a global torch setting (default dtype, grad mode) that
  the code changed and left changed.

The time limit uses ``SIGALRM`` in the main thread where the platform has it (Linux,
macOS, and so Jupyter kernels there) and a watchdog thread that raises in the calling
thread elsewhere (Windows, worker threads). Either way the student's code is interrupted
between two Python bytecodes, so a single long C++ operation finishes first.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import linecache
import re
import signal
import sysconfig
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType
from typing import Any, TypeVar

from ..errors import first_line
from ._isolation import apply_state, describe_changes, global_state

T = TypeVar("T")

#: Seconds one call of student code may take before it is stopped (the right answers take well under one).
TIME_LIMIT = 10.0

Hint = str | Callable[[BaseException], str] | None
_STUB_MESSAGE = re.compile(r"^Q\d+\.\d+")

#: The files of ``utils`` that hold the student's own code (questions 2.2 and 2.4): not library code,
#: wherever the package lies (the repository, the handout, a grading sandbox).
STUDENT_FILES = ("utils/models.py", "utils/training.py")

_LIBRARY_DIRS = tuple(
    str(Path(p).resolve())
    for p in {
        sysconfig.get_paths()["stdlib"],
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
        str(Path(__file__).resolve().parent.parent),  # utils itself: the checks and their helpers
    }
)


class _OutOfTime(BaseException):
    """Raised into student code at its time limit (a BaseException, so `except Exception` cannot swallow it)."""


_limit_active = threading.local()


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`_OutOfTime` in this thread if the block runs longer than ``seconds`` (again every second)."""
    if getattr(_limit_active, "on", False):  # nested: the outer limit governs
        yield
        return
    _limit_active.on = True
    try:
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
            with _alarm(seconds):
                yield
        else:
            with _watchdog(seconds):
                yield
    finally:
        _limit_active.on = False


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    running = [True]

    def on_alarm(signum: int, frame: Any) -> None:
        if running[0]:
            raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)  # re-fires each second if the code catches it
    try:
        yield
    finally:
        running[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    target = ctypes.c_ulong(threading.get_ident())
    done, lock = threading.Event(), threading.Lock()
    fired = [False]

    def watch() -> None:
        if done.wait(seconds):
            return
        while True:
            with lock:
                if done.is_set():
                    return
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(_OutOfTime))
                fired[0] = True
            if done.wait(1.0):
                return

    threading.Thread(target=watch, name="self-check time limit", daemon=True).start()
    try:
        yield
    finally:
        with lock:
            done.set()
            if fired[0]:  # an exception still pending in this thread must not escape later
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)


def _is_student_file(filename: str) -> bool:
    if filename.startswith(("<frozen", "<built-in")):
        return False
    try:
        resolved = str(Path(filename).resolve())
    except (OSError, ValueError):
        return True
    return _in_student_file(resolved) is not None or not resolved.startswith(_LIBRARY_DIRS)


def _in_student_file(filename: str) -> str | None:
    """``"utils/models.py"`` (or another of :data:`STUDENT_FILES`) when ``filename`` is that file, else ``None``."""
    tail = "/".join(Path(filename).parts[-2:])
    return tail if tail in STUDENT_FILES else None


def _student_file(error: BaseException) -> str | None:
    """``utils/models.py`` (or ``utils/training.py``) when the innermost frame of ``error`` is in one of them."""
    entries = traceback.extract_tb(error.__traceback__)
    return _in_student_file(entries[-1].filename) if entries else None


def _student_frame(error: BaseException) -> traceback.FrameSummary | None:
    """The innermost traceback entry in student code (a notebook cell, not torch, not utils)."""
    entries = [entry for entry in traceback.extract_tb(error.__traceback__) if _is_student_file(entry.filename)]
    return entries[-1] if entries else None


def _is_stub(error: NotImplementedError) -> bool:
    """Raised by a ``raise NotImplementedError(...)`` line of student code (the handout's stub), not by a library.

    A C++ operation (``meta_tensor.cpu()``) adds no frame of its own, so the line is looked at too: a stub's
    line is a ``raise`` statement, and the handout's message starts with the part, ``"Q3.1: ..."``.
    """
    entries = traceback.extract_tb(error.__traceback__)
    if not entries or not _is_student_file(entries[-1].filename):
        return False
    line = _source(entries[-1])
    if line:
        return line.startswith("raise")
    return bool(_STUB_MESSAGE.match(str(error))) or not str(error).strip()


def _source(entry: traceback.FrameSummary) -> str:
    line = (entry.line or linecache.getline(entry.filename, entry.lineno or 0)).strip()
    return line if len(line) <= 100 else line[:97] + "..."


def where(error: BaseException) -> str:
    """`` (in f, line 3: `x @ w`)`` for the line of student code an exception came from, else ``""``."""
    entry = _student_frame(error)
    if entry is None:
        return ""
    code = _source(entry)
    return f" (in {entry.name}, line {entry.lineno}" + (f": `{code}`)" if code else ")")


def name_of(fn: Any) -> str:
    return getattr(fn, "__name__", None) or type(fn).__name__


def _unfinished_name(error: BaseException, fn: Any, name: str) -> str:
    """The stub that raised: ``name`` when it is ``fn`` itself, else the inner function's name."""
    tb = error.__traceback__
    code: CodeType | None = None
    while tb is not None:
        code = tb.tb_frame.f_code
        tb = tb.tb_next
    if code is None:
        return name
    own = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    qualname = getattr(code, "co_qualname", code.co_name)
    if qualname == own or qualname.startswith(f"{own}.") or code.co_name in ("<lambda>", "__init__", "forward"):
        return name
    return qualname.rsplit("<locals>.", 1)[-1]


def _stub_in(error: BaseException) -> str:
    """The function or method (``MLP.__init__``) whose stub raised ``error``: its innermost frame's."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "the function"
    code = tb.tb_frame.f_code
    return getattr(code, "co_qualname", code.co_name)


def unfinished(part: str, name: str, file: str | None = None) -> NotImplementedError:
    """The message of a stub still in place; ``file`` when it is in a file of ``utils`` (``utils/models.py``)."""
    where = (
        f"Open {file}, write your solution there, save the file, then rerun this check."
        if file
        else "Write your solution in its cell, run that cell, then rerun this check."
    )
    return NotImplementedError(f"Q{part} is not finished: {name}() still raises NotImplementedError. {where}")


def _hint_text(hint: Hint, error: BaseException) -> str:
    text = hint(error) if callable(hint) else hint
    return f" {text}" if text else ""


def _failure(part: str, name: str, error: BaseException, hint: Hint) -> AssertionError:
    if isinstance(error, AssertionError):
        entry = _student_frame(error)
        source = _source(entry) if entry is not None else ""
        code = f", line {entry.lineno}" if entry is not None else ""
        code += f": `{source}`" if source else ""
        said = f": {str(error).strip().splitlines()[0]}" if str(error).strip() else ""
        return AssertionError(f"✗ {part}: an assert in your code failed{code}{said}.{_hint_text(hint, error)}")
    summary = first_line(error).rstrip(".")
    return AssertionError(f"✗ {part}: {name}() raised {summary}{where(error)}.{_hint_text(hint, error)}")


def call_student(
    part: str,
    fn: Callable[..., T],
    *args: Any,
    name: str | None = None,
    hint: Hint = None,
    seconds: float | None = None,
    quiet: bool = True,
    **kwargs: Any,
) -> T:
    """``fn(*args, **kwargs)``, the student's code, under a time limit and with every failure as a ✗ line.

    ``name`` is how the message names ``fn`` (default: its ``__name__``); ``hint`` (a string,
    or a function of the exception returning one) follows the description of a crash;
    ``quiet`` swallows what the code prints, so that a check prints one line. ``seconds`` is the
    time limit (default :data:`TIME_LIMIT`).
    """
    name = name or name_of(fn)
    seconds = TIME_LIMIT if seconds is None else seconds
    before = global_state()
    failure: BaseException | None = None
    output = io.StringIO()
    try:
        with _time_limit(seconds):
            if quiet:
                with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                    result = fn(*args, **kwargs)
            else:
                result = fn(*args, **kwargs)
    except _OutOfTime:
        failure = AssertionError(
            f"✗ {part}: {name}() did not finish within {seconds:g} s and was stopped. An endless loop? "
            "Look for a `while` whose condition never changes, or a loop over something that grows as it runs"
        )
    except SystemExit as error:
        failure = AssertionError(
            f"✗ {part}: {name}() called exit() ({error.code!r}), which would end the notebook's kernel: "
            "return a value or raise an exception instead"
        )
    except AssertionError as error:
        failure = error if str(error).startswith("✗ ") else _failure(part, name, error, hint)
    except NotImplementedError as error:
        if _is_stub(error):
            file = _student_file(error)
            failure = unfinished(part, _stub_in(error) if file else _unfinished_name(error, fn, name), file)
        else:
            failure = _failure(part, name, error, hint)
    except Exception as error:  # noqa: BLE001 (the student's bug, reported as a hint rather than a traceback)
        failure = _failure(part, name, error, hint)
    after = global_state()
    changes = describe_changes(before, after)
    if changes:
        apply_state(before)
        raise AssertionError(
            f"✗ {part}: {name}() changed a setting of the whole notebook: {changes}. (The check has put it back.)"
        ) from None
    if failure is not None:
        raise failure.with_traceback(None) from None
    return result

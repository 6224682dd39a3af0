"""How hidden cases are declared and what they receive.

A hidden case is a function ``case(ctx)`` registered for one part with :func:`case`. It
raises ``AssertionError("...")`` when the student's code is wrong (the message names the
input, never the answer) and returns otherwise. Cases run in the grader's own process,
never in the student's kernel, each with its own random state and a time limit:

* ``ctx.reference.NAME`` is the instructor's function or class ``NAME`` (the solution
  notebook's cells, run in the grader's process);
* ``ctx.student`` reaches the student's kernel only through :class:`grading.channel.Remote`:
  ``ctx.student.NAME(*args)`` calls the notebook's ``NAME`` there and returns its result as
  checked data (tensors, plain values) or a :class:`grading.channel.Handle` (a model, an
  optimizer, a callable kept in the kernel); ``ctx.student.run(code, **inputs)`` runs a
  procedure in the kernel (to observe what only the kernel can: in-place updates, shared
  memory, files written); ``ctx.student.put(obj, ...)`` copies grader-built objects there.

What comes back is compared here with ``_compare`` (type, dtype, shape and finiteness first);
no object of the student's (no ``__eq__``, no subclass) ever reaches this process.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class MissingName(LookupError):
    """The graded notebook defines no such function or class."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class Names:  # the reference solution's namespace
    """Attribute access to a notebook namespace: ``Names(globals()).share_and_copy``."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> Any:
        try:
            return self._namespace[name]
        except KeyError:
            raise MissingName(name) from None


@dataclass
class Context:
    """What a hidden case works with."""

    student: Any  # grading.channel.Remote (or, in the grader's own tests, anything with the same calls)
    reference: Names
    settings: dict[str, Any] = field(default_factory=dict)  # from the grader: accuracy_threshold, device
    report: dict[str, Any] = field(default_factory=dict)  # numbers a case reports, e.g. test_accuracy
    verdicts: dict[str, bool] = field(default_factory=dict)  # part -> passed (hidden cases), parts graded so far
    cases: dict[str, bool] = field(default_factory=dict)  # case name -> passed, for the cases run so far
    _folders: list[tempfile.TemporaryDirectory] = field(default_factory=list, repr=False)

    @property
    def device(self) -> Any:
        """The student's kernel's device (the reference runs on the grader's CPU)."""
        import torch

        return torch.device(self.settings.get("device", "cpu"))

    def folder(self) -> Path:
        """A fresh empty folder of the grader's (for the reference's files), removed after the case."""
        handle = tempfile.TemporaryDirectory(prefix="hidden-")
        self._folders.append(handle)
        return Path(handle.name)

    def cleanup(self) -> None:
        for handle in self._folders:
            handle.cleanup()
        self._folders.clear()


@dataclass(frozen=True)
class Case:
    part: str
    name: str  # what it tries, as the feedback shows it: "hwc_to_nchw on a (3, 6, 5, 2) float64 batch"
    run: Callable[[Context], None]
    seconds: float | None = 120.0  # time limit; None: only the cell's limit applies
    uses: frozenset[str] = frozenset()  # notebook names the case needs in the kernel besides the part's functions


CASES: dict[str, list[Case]] = {}


def case(part: str, name: str, seconds: float | None = 120.0, uses: tuple[str, ...] = ()) -> Callable:
    """Register the decorated function as a hidden case of ``part``."""

    def register(function: Callable[[Context], None]) -> Callable[[Context], None]:
        CASES.setdefault(part, []).append(Case(part, name, function, seconds, frozenset(uses)))
        return function

    return register


def uses_by_part() -> dict[str, frozenset[str]]:
    """Part -> every notebook name its hidden cases need (for choosing the cells to run)."""
    return {part: frozenset().union(*(c.uses for c in cases)) for part, cases in CASES.items()}

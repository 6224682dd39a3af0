"""How hidden cases are declared and what they receive.

A hidden case is a function ``case(ctx)`` registered for one part with :func:`case`. It
raises ``AssertionError("...")`` when the student's code is wrong (the message names the
input, never the answer) and returns otherwise. ``ctx.student.NAME`` is the student's
function or class ``NAME`` (from the graded notebook), ``ctx.reference.NAME`` the
instructor's (from the solution notebook's cells, run in a copy of the notebook's globals).
Cases run in the grading kernel, each with its own random state and a time limit.
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


class Names:
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

    student: Names
    reference: Names
    namespace: dict[str, Any]  # the graded notebook's globals (device, new_run, ...)
    settings: dict[str, Any] = field(default_factory=dict)  # from the grader, e.g. accuracy_threshold
    report: dict[str, Any] = field(default_factory=dict)  # numbers a case reports, e.g. test_accuracy
    verdicts: dict[str, bool] = field(default_factory=dict)  # part -> passed, for the parts graded so far
    _folders: list[tempfile.TemporaryDirectory] = field(default_factory=list, repr=False)

    @property
    def device(self) -> Any:
        import torch

        return torch.device(self.namespace.get("device", "cpu"))

    def folder(self) -> Path:
        """A fresh empty folder (in the sandbox's temporary folder), removed after the case."""
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
    uses: frozenset[str] = frozenset()  # notebook names the case needs besides the part's functions


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

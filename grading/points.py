"""The parts of the homework and their points, as grading needs them.

:func:`parts_table` is the one place grading learns which parts exist, what each is worth
and which functions it asks for. It reads the homework's table of parts (``utils.parts``).
Until that table exists, it falls back to the question statements' ``### N.M Title (P points)``
headings, with each part's functions taken from the notebooks' solution regions.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATEMENT_HEADING = re.compile(r"^###\s+(\d+)\.(\d+)\s+(.+?)\s+\((\d+)\s+points?\)\s*$")
#: The notebook's test-accuracy bar, as its final cell asserts it: ``assert test_acc >= 0.895``.
THRESHOLD_RE = re.compile(r"assert\s+test_acc\s*>=\s*(0?\.\d+)")


@dataclass(frozen=True)
class PartSpec:
    """One graded part: ``id`` ``"N.M"``, its title and points, the names the student writes."""

    id: str
    title: str
    points: int
    functions: tuple[str, ...] = ()
    written_answers: bool = False

    @property
    def question(self) -> int:
        return int(self.id.split(".")[0])


def parts_table(root: Path = ROOT, functions: dict[str, tuple[str, ...]] | None = None) -> tuple[PartSpec, ...]:
    """Every part of the homework, in order.

    ``functions`` (part id -> names, from the notebooks' solution regions) fills in the
    functions when the table itself does not name them.
    """
    try:
        table = importlib.import_module("utils.parts")
    except ModuleNotFoundError as error:
        if error.name != "utils.parts":
            raise
        return _parts_from_statements(root, functions or {})
    return tuple(
        PartSpec(p.id, p.title, int(p.points), tuple(p.functions), bool(getattr(p, "written_answers", False)))
        for p in table.PARTS
    )


def _parts_from_statements(root: Path, functions: dict[str, tuple[str, ...]]) -> tuple[PartSpec, ...]:
    parts = []
    for statement in sorted(root.glob("hw08-q0*.md")):
        for line in statement.read_text(encoding="utf-8").splitlines():
            match = STATEMENT_HEADING.match(line.strip())
            if match:
                part = f"{match.group(1)}.{match.group(2)}"
                parts.append(PartSpec(part, match.group(3), int(match.group(4)), functions.get(part, ())))
    if not parts:
        raise SystemExit(f"no '### N.M Title (P points)' headings in {root}/hw08-q0*.md: cannot tell what to grade")
    return tuple(parts)


def accuracy_threshold(notebook: Path) -> float:
    """The test accuracy question 2's final model must reach, read from the notebook's own ``assert``."""
    text = notebook.read_text(encoding="utf-8")
    match = THRESHOLD_RE.search(text)
    if match is None:
        raise SystemExit(
            f"{notebook}: no `assert test_acc >= 0.xxx` line, so grading cannot tell question 2's "
            "test-accuracy threshold; keep that assert in the final-model cells"
        )
    return float(match.group(1))

"""The parts of the homework and their points, as grading needs them.

:func:`parts_table` is the one place grading learns which parts exist, what each is worth
and whether it asks for written answers: the homework's table of parts, ``utils.parts``
(the same table the statements' and notebooks' headings are checked against).
"""

from __future__ import annotations

import re
from pathlib import Path

from utils.parts import PARTS
from utils.parts import Part as PartSpec

__all__ = ["PartSpec", "accuracy_threshold", "parts_table"]

#: The notebook's test-accuracy bar, as its final cell asserts it: ``assert test_acc >= 0.895``.
THRESHOLD_RE = re.compile(r"assert\s+test_acc\s*>=\s*(0?\.\d+)")


def parts_table() -> tuple[PartSpec, ...]:
    """Every part of the homework, in order: id, title, points, functions, written answers or not."""
    return PARTS


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

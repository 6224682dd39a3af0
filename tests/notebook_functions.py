"""Load the functions a question notebook asks students to write, for the self-check tests.

The tests run the notebook's own solution cells (so no copy of an answer lives in the
tests) or the same cells as ``tools/make_student.py`` turns them into stubs.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import nbformat

ROOT = Path(__file__).resolve().parent.parent
MARKER = "### BEGIN SOLUTION"


def make_student_module() -> ModuleType:
    """``tools/make_student.py`` imported as a module."""
    spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_functions(notebook_path: Path, student: bool, namespace: dict) -> dict:
    """Execute the notebook's solution-holding code cells into ``namespace`` and return it.

    With ``student=True`` the cells are taken from the generated student notebook, so every
    function is the stub a student starts from.
    """
    solution = nbformat.read(notebook_path, as_version=4)
    indices = [i for i, cell in enumerate(solution.cells) if cell.cell_type == "code" and MARKER in cell.source]
    assert indices, f"{notebook_path.name} has no solution cells"
    notebook = make_student_module().student_notebook(notebook_path)[0] if student else solution
    for i in indices:
        source = notebook.cells[i].source
        assert (MARKER in source) != student, f"{notebook_path.name} cell {i}: solution/stub mix-up"
        exec(compile(source, str(notebook_path), "exec"), namespace)  # noqa: S102 (the notebook's own cells)
    return namespace

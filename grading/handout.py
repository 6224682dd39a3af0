"""The instructor's handout, built once per grading run, and what grading knows of its cells.

``tools/make_student.py`` builds the handout exactly as students receive it. Every
submission is graded inside a copy of that folder (its own ``utils``, never the
student's), in a notebook made from the handout's notebook. For each handout cell grading
records its kind:

* ``setup``: the first code cell (imports, seed, device);
* ``solution``: a cell holding a solution region (a stub in the handout); its instructor
  source, from the solution notebook, is the reference the hidden cases compare with;
* ``check``: a cell calling a self-check (``checks.check_...``);
* ``other``: any other code cell (demonstrations; run only when a graded cell needs them);
* ``text``: markdown and raw cells (never run).
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import nbformat

from . import cells

ROOT = Path(__file__).resolve().parent.parent
CHECK_CALL = "checks.check_"
NOTEBOOK_RE = re.compile(r"^hw08-q0*(\d+)\.ipynb$")


def make_student_module(root: Path = ROOT) -> ModuleType:
    """``tools/make_student.py`` imported as a module (the tool is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("hw08_make_student", root / "tools" / "make_student.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {root / 'tools' / 'make_student.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class HandoutCell:
    """One cell of a handout notebook and what grading knows about it."""

    index: int
    id: str | None
    kind: str  # setup | solution | check | other | text
    part: str | None  # the "## N.M" heading in force at this cell
    source: str  # as in the handout (stubs in solution cells)
    solution: str = ""  # the instructor's source of a solution cell
    names: frozenset[str] = frozenset()  # functions and classes a solution cell defines


@dataclass(frozen=True)
class HandoutNotebook:
    """A question notebook of the handout."""

    name: str
    question: int
    cells: tuple[HandoutCell, ...]
    notebook: nbformat.NotebookNode = field(repr=False, compare=False)

    def solution_cells(self, part: str | None = None) -> list[HandoutCell]:
        return [c for c in self.cells if c.kind == "solution" and (part is None or c.part == part)]

    def functions(self) -> dict[str, tuple[str, ...]]:
        """Part id -> the functions and classes its solution cells define, in order."""
        found: dict[str, list[str]] = {}
        for cell in self.solution_cells():
            found.setdefault(cell.part or "", []).extend(sorted(cell.names, key=cell.solution.find))
        return {part: tuple(dict.fromkeys(names)) for part, names in found.items()}


@dataclass(frozen=True)
class Handout:
    """The built handout folder and its question notebooks, by file name."""

    folder: Path
    notebooks: dict[str, HandoutNotebook]


def question_of(name: str) -> int:
    match = NOTEBOOK_RE.match(name)
    if match is None:
        raise ValueError(f"{name} is not a question notebook (hw08-q0N.ipynb)")
    return int(match.group(1))


def _describe(solution_path: Path, make_student: ModuleType) -> HandoutNotebook:
    solution = nbformat.read(solution_path, as_version=4)
    handout, regions = make_student.student_notebook(solution_path)
    region_cells = {index for index, _ in regions}
    described, part, seen_code = [], None, False
    for index, (mine, theirs) in enumerate(zip(solution.cells, handout.cells, strict=True)):
        if theirs.cell_type == "markdown":
            part = make_student.heading_part(theirs.source) or part
        if theirs.cell_type != "code":
            kind = "text"
        elif not seen_code:
            kind = "setup"
        elif index in region_cells:
            kind = "solution"
        elif CHECK_CALL in theirs.source:
            kind = "check"
        else:
            kind = "other"
        seen_code = seen_code or theirs.cell_type == "code"
        described.append(
            HandoutCell(
                index=index,
                id=theirs.get("id"),
                kind=kind,
                part=part,
                source=theirs.source,
                solution=mine.source if kind == "solution" else "",
                names=cells.definitions(mine.source) if kind == "solution" else frozenset(),
            )
        )
    return HandoutNotebook(solution_path.name, question_of(solution_path.name), tuple(described), handout)


def build_handout(work: Path, root: Path = ROOT) -> Handout:
    """Build the handout into ``work`` with ``tools/make_student.py``; describe its notebooks."""
    make_student = make_student_module(root)
    folder = make_student.build(work)
    notebooks = {}
    for solution_path in sorted((root / "notebooks").glob("hw08-q*.ipynb")):
        notebook = _describe(solution_path, make_student)
        notebooks[notebook.name] = notebook
    if not notebooks:
        raise SystemExit(f"no notebooks/hw08-q*.ipynb in {root}: nothing to grade against")
    return Handout(folder=Path(folder), notebooks=notebooks)

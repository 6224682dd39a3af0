"""The graded notebook: the instructor's handout notebook with the student's code put in.

Only the student's *code* is taken from a submission; everything else comes from the
handout, so edits to the self-check cells, to demonstrations or to ``utils`` change nothing.

**Matching the student's cells.** For each handout cell holding a solution region:

1. the student's code cell with the same cell id (Jupyter keeps ids when cells are edited,
   moved or copied within a notebook);
2. failing that, or when that cell lacks some of the functions, the student's last code
   cell defining each missing function or class by name (cells pasted into a new notebook
   get new ids);
3. failing both, the handout's stub stays (the part scores 0), and the note says which
   names no cell defines: renamed or deleted functions.

A student cell is used once, at the first place it matches.

**The student's setup cell** (the cell with the handout's setup cell id, else their first code
cell), when it differs from the handout's, runs right after the handout's (so its extra
imports and constants exist, and the grader's set-up came first), without shell commands.

**Cells the student added.** Their imports, ``def``, ``class`` and constant assignments are
kept (:func:`cells.kept_statements`: helpers and constants a solution uses), at the place of
the cell in the student's notebook; loops, prints, plots and calls to training or plotting
functions (experiments) are dropped.

**Which cells run.** The setup cell, the student's code, the self-check cells of the
question's own parts, the hidden cases, and only those other handout cells that define a
name one of them uses (found from the sources, transitively). Demonstrations that nothing
graded depends on (timings, plots, question 2's comparison runs) are skipped: they grade
nothing, and skipping them is most of what keeps grading fast.

**Grader cells** replace each self-check cell (the check runs as the handout wrote it, its
✓ or ✗ recorded for the feedback) and follow each part: there the grader runs the part's
hidden cases in its own process (``grading.trusted``), calling the functions above in the
kernel through the data channel (``grading.channel``). One first cell starts the request
server (``grading.serve``: no solution, no hidden case, no secret) and one last cell reports
refused file accesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nbformat

from . import cells
from .channel import SERVER, finish_source, visible_source
from .handout import HandoutNotebook

KERNEL = SERVER  # the request server's name in the kernel (grading.serve)


class ForeignNotebook(ValueError):
    """The submitted notebook is not this question's notebook at all."""


@dataclass(frozen=True)
class PlannedCell:
    """A cell of the graded notebook."""

    kind: str  # start | setup | student | added | check | hidden | other | finish
    part: str | None
    source: str
    label: str  # how messages name the cell
    uses: frozenset[str] = frozenset()  # names it needs besides those in its source
    analysed: str | None = None  # the code to read for names, when ``source`` only wraps it (self-checks)

    @property
    def code(self) -> str:
        return self.source if self.analysed is None else self.analysed


@dataclass
class GradedNotebook:
    """The cells to run, in order, and what matching found."""

    name: str
    cells: list[PlannedCell]
    graded_parts: list[str]
    expected: dict[str, set[str]]  # part -> record kinds it must produce ("visible", "hidden")
    notes: list[str] = field(default_factory=list)  # for the student's feedback
    skipped: int = 0  # handout code cells not run

    def notebook(self) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook()
        nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        for planned in self.cells:
            cell = nbformat.v4.new_code_cell(planned.source)
            cell.metadata = {"grading": {"kind": planned.kind, "part": planned.part, "label": planned.label}}
            nb.cells.append(cell)
        return nb


@dataclass
class _Match:
    sources: list[str]
    notes: list[str]


def _code_cells(student: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    return [(i, c) for i, c in enumerate(student.cells) if c.get("cell_type") == "code"]


def _match_solutions(handout: HandoutNotebook, student: nbformat.NotebookNode) -> tuple[dict[int, _Match], set[int]]:
    """Student sources for each handout solution cell, and the student cells used."""
    code = _code_cells(student)
    by_id = {c.get("id"): i for i, c in code if c.get("id")}
    defining: dict[str, int] = {}
    for i, c in code:
        for name in cells.definitions(c.source):
            defining[name] = i  # the last definition wins, as when the notebook runs top to bottom
    used: set[int] = set()
    defined_so_far: set[str] = set()
    matches: dict[int, _Match] = {}
    for hcell in handout.solution_cells():
        chosen: list[int] = []
        if hcell.id in by_id:
            chosen.append(by_id[hcell.id])
        have = set().union(*(cells.definitions(student.cells[i].source) for i in chosen)) if chosen else set()
        for name in sorted(hcell.names - have):
            if name in defining and defining[name] not in chosen:
                chosen.append(defining[name])
        chosen = sorted(i for i in set(chosen) if i not in used)
        used.update(chosen)
        sources = [cells.without_shell(student.cells[i].source) for i in chosen]
        provided = set().union(*(cells.definitions(s) for s in sources)) if sources else set()
        defined_so_far |= provided
        notes = []
        for i, source in zip(chosen, sources):
            problem = cells.syntax_error(source)
            if problem:
                notes.append(f"{hcell.part}: your cell {i + 1} does not run ({problem})")
        missing = sorted(hcell.names - defined_so_far)
        if not sources and missing:
            notes.append(
                f"{hcell.part}: no cell of yours defines {', '.join(missing)} (renamed or deleted?); "
                "graded with the handout's unfinished version"
            )
            sources = [hcell.source]
        elif missing:
            notes.append(f"{hcell.part}: {', '.join(missing)} not defined in your notebook (renamed or deleted?)")
        matches[hcell.index] = _Match(sources, notes)
    return matches, used


def _added_cells(handout: HandoutNotebook, student: nbformat.NotebookNode, used: set[int]) -> dict[int, list[str]]:
    """Definitions from cells the student added, keyed by the handout cell they follow (at the earliest, setup)."""
    setup = next(c.index for c in handout.cells if c.kind == "setup")
    index_of_id = {c.id: c.index for c in handout.cells if c.id}
    handout_sources = {c.source.strip() for c in handout.cells}
    notebook_functions = frozenset().union(*(c.names for c in handout.solution_cells()))
    anchor = setup
    added: dict[int, list[str]] = {}
    for i, cell in enumerate(student.cells):
        if cell.get("id") in index_of_id:
            anchor = max(setup, index_of_id[cell.get("id")])
            continue
        if i in used or cell.get("cell_type") != "code" or cell.source.strip() in handout_sources:
            continue
        kept = cells.kept_statements(cell.source, notebook_functions)
        if kept:
            added.setdefault(anchor, []).append(kept)
    return added


def _student_setup(handout: HandoutNotebook, student: nbformat.NotebookNode, used: set[int]) -> tuple[int | None, str]:
    """The index and the source to run of the student's setup cell, when it differs from the handout's."""
    setup = next(c for c in handout.cells if c.kind == "setup")
    code = _code_cells(student)
    index = next((i for i, c in code if setup.id and c.get("id") == setup.id), None)
    solutions = frozenset().union(*(c.names for c in handout.solution_cells()))
    if index is None and code and "import" in code[0][1].source:  # pasted into a new notebook: new ids
        first = code[0][1]
        if not (cells.definitions(first.source) & solutions) and first.get("id") not in {c.id for c in handout.cells}:
            index = code[0][0]
    if index is None or index in used:
        return None, ""
    source = cells.without_shell(student.cells[index].source)
    if source.strip() == setup.source.strip() or not source.strip():
        return index, ""
    return index, source


def _looks_foreign(handout: HandoutNotebook, student: nbformat.NotebookNode) -> bool:
    ids = {c.id for c in handout.cells if c.id}
    names = set().union(*(c.names for c in handout.solution_cells()))
    shared_ids = sum(1 for c in student.cells if c.get("id") in ids)
    defined = set()
    for _, c in _code_cells(student):
        defined |= cells.definitions(c.source)
    return shared_ids == 0 and not (names & defined)


def _select(planned: list[PlannedCell], roots: set[int]) -> set[int]:
    """Indices of the cells to run: the roots and, transitively, the latest earlier definition of each name they use."""
    defined = [cells.defined_names(p.code) for p in planned]
    needed = set(roots)
    stack = sorted(roots)
    while stack:
        i = stack.pop()
        for name in sorted(cells.used_names(planned[i].code) | planned[i].uses):
            before = [k for k in range(i) if name in defined[k]]
            if before:
                source = before[-1]
            elif planned[i].kind in ("student", "added"):
                # A function body may use a name the notebook defines later, before calling it.
                after = [k for k in range(i + 1, len(planned)) if name in defined[k]]
                if not after:
                    continue
                source = after[0]
            else:
                continue
            if source not in needed:
                needed.add(source)
                stack.append(source)
    return needed


def assemble(
    handout: HandoutNotebook,
    student: nbformat.NotebookNode,
    graded_parts: list[str],
    hidden_parts: dict[str, frozenset[str]],
    start_source: str,
) -> GradedNotebook:
    """The graded notebook for ``student``'s version of ``handout``.

    ``graded_parts``: the parts this notebook grades (the question's own, in order);
    ``hidden_parts``: part -> names its hidden cases use, for the parts that have hidden cases;
    ``start_source``: the first cell (starting the grading kernel).
    """
    if _looks_foreign(handout, student):
        raise ForeignNotebook(
            f"none of its cells or functions match {handout.name}: it is another notebook "
            "(another homework or question?)"
        )
    matches, used = _match_solutions(handout, student)
    setup_index, setup_source = _student_setup(handout, student, used)
    if setup_index is not None:
        used = used | {setup_index}
    added = _added_cells(handout, student, used)
    notes = [note for m in matches.values() for note in m.notes]
    hidden_after: dict[str, int] = {}  # part -> the handout cell its hidden cases follow
    for part in graded_parts:
        if part in hidden_parts:
            checks = [c.index for c in handout.cells if c.part == part and c.kind == "check"]
            solutions = [c.index for c in handout.cells if c.part == part and c.kind == "solution"]
            if checks or solutions:  # after the part's last self-check, else after its last solution cell
                hidden_after[part] = max(checks or solutions)

    planned: list[PlannedCell] = [PlannedCell("start", None, start_source, "the grader's first cell")]
    roots = {0}
    expected: dict[str, set[str]] = {part: set() for part in graded_parts}

    def add(cell: PlannedCell, root: bool) -> None:
        if root:
            roots.add(len(planned))
        planned.append(cell)

    for hcell in handout.cells:
        part = hcell.part
        if hcell.kind == "setup":
            add(PlannedCell("setup", None, hcell.source, "the setup cell"), True)
            if setup_source:
                add(PlannedCell("added", None, setup_source, "your setup cell"), True)
        elif hcell.kind == "solution":
            for source in matches[hcell.index].sources:
                add(PlannedCell("student", part, source, f"your code for {part}"), True)
        elif hcell.kind == "check" and part in graded_parts:
            call = visible_source(part, hcell.source)
            add(PlannedCell("check", part, call, f"the self-check of {part}", analysed=hcell.source), True)
            expected[part].add("visible")
        elif hcell.kind in ("check", "other"):
            add(PlannedCell("other", part, hcell.source, f"handout cell {hcell.index + 1}"), False)
        for definitions in added.get(hcell.index, []):
            add(PlannedCell("added", part, definitions, "a cell you added"), True)
        if hidden_after.get(part) == hcell.index:
            # Run by the grader in its own process (grading.trusted), not as a cell of the kernel.
            note = f"# the hidden cases of {part}: run by the grader, which calls the functions above"
            add(PlannedCell("hidden", part, note, f"the hidden cases of {part}", hidden_parts[part], ""), True)
            expected[part].add("hidden")
    add(PlannedCell("finish", None, finish_source(), "the grader's last cell"), True)

    needed = _select(planned, roots)
    kept = [p for i, p in enumerate(planned) if i in needed]
    skipped = sum(1 for i, p in enumerate(planned) if p.kind == "other" and i not in needed)
    return GradedNotebook(handout.name, kept, list(graded_parts), expected, notes, skipped)

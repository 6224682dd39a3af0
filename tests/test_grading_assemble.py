"""grading.assemble and grading.handout: the graded notebook made from the handout and a submission.

No kernel runs here: these tests read the plan of cells only.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from grading import cells, hidden, synthetic
from grading.assemble import ForeignNotebook, GradedNotebook, PlannedCell, _select, assemble
from grading.handout import Handout, build_handout
from grading.points import parts_table
from utils.parts import IN_UTILS

Q1, Q2, Q3 = "hw08-q01.ipynb", "hw08-q02.ipynb", "hw08-q03.ipynb"


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Handout:
    return build_handout(tmp_path_factory.mktemp("handout"))


@pytest.fixture(scope="module")
def books() -> dict:
    return synthetic.notebooks()


def plan(handout: Handout, name: str, student: nbformat.NotebookNode) -> GradedNotebook:
    notebook = handout.notebooks[name]
    parts = sorted({c.part for c in notebook.cells if c.part and c.part.startswith(f"{notebook.question}.")})
    uses = hidden.uses_by_part()
    return assemble(notebook, student, parts, {p: uses[p] for p in parts if p in uses}, "START")


def sources(graded: GradedNotebook, kind: str) -> list[str]:
    return [c.source for c in graded.cells if c.kind == kind]


def test_the_handout_describes_every_solution_cell_and_ships_no_grader(handout: Handout) -> None:
    for notebook in handout.notebooks.values():
        defined = notebook.functions()
        for part in (p for p in parts_table() if p.question == notebook.question):
            in_notebook = {name for name in part.functions if name not in IN_UTILS}  # the rest: in utils' files
            assert in_notebook <= set(defined.get(part.id, ())), (part.id, defined.get(part.id))
            assert not set(IN_UTILS) & set(defined.get(part.id, ())), (part.id, defined.get(part.id))
        assert all(c.solution and "### BEGIN SOLUTION" in c.solution for c in notebook.solution_cells())
        assert all("NotImplementedError" in c.source for c in notebook.solution_cells())
    shipped = [p.relative_to(handout.folder).as_posix() for p in handout.folder.rglob("*")]
    assert shipped and not any(p.startswith("grading") or "/hidden" in p for p in shipped)


def test_complete_solutions_run_their_code_checks_and_hidden_cases(handout: Handout, books: dict) -> None:
    for name in (Q1, Q2, Q3):
        graded = plan(handout, name, books[name][1])
        assert graded.notes == []
        kinds = [c.kind for c in graded.cells]
        assert kinds[0] == "start" and kinds[1] == "setup" and kinds[-1] == "finish"
        assert all(expected == {"visible", "hidden"} for expected in graded.expected.values()), graded.expected
        assert not any("NotImplementedError" in s for s in sources(graded, "student"))


def test_demonstrations_nothing_graded_needs_are_skipped(handout: Handout, books: dict) -> None:
    q02 = plan(handout, Q2, books[Q2][1])
    everything = "\n".join(c.source for c in q02.cells)
    assert "baseline = run(" not in everything  # the comparison runs of 2.5
    assert "final = fit(" not in everything  # the final training: the hidden case trains it once
    assert "seconds_for(" not in everything  # the data-pipeline timing
    q03 = plan(handout, Q3, books[Q3][1])
    others = "\n".join(sources(q03, "other"))
    assert "def new_run(" in others and "class SmallNet" in others and "class ClipNorm" in others
    assert "torch.jit.trace" not in others and "crash_during(" not in others
    assert q02.skipped > 5 and q03.skipped > 5


def test_cells_run_when_a_graded_cell_uses_what_they_define() -> None:
    planned = [
        PlannedCell("setup", None, "import torch", "setup"),
        PlannedCell("other", None, "a = torch.ones(1)\nplot(a)", "defines a"),
        PlannedCell("other", None, "b = 2", "defines b, used by nothing"),
        PlannedCell("other", None, "a = a * 2", "redefines a"),
        PlannedCell("check", "1.1", "kernel_call('...')", "check", analysed="checks.check(f, a)"),
        PlannedCell("student", "1.1", "def f():\n    return late", "student"),
        PlannedCell("other", None, "late = 3", "defined after the function that uses it"),
        PlannedCell("hidden", "1.1", "kernel_call('...')", "hidden", frozenset({"c"}), ""),
        PlannedCell("other", None, "c = 1", "defined after the hidden cell"),
    ]
    assert sorted(_select(planned, {0, 4, 5, 7})) == [0, 1, 3, 4, 5, 6, 7]


def test_cells_are_matched_by_name_when_their_ids_changed(handout: Handout, books: dict) -> None:
    student = synthetic._copy(books[Q1][1])
    for index, cell in enumerate(student.cells):
        cell.id = f"new{index}"
    merged = nbformat.v4.new_code_cell(
        "\n\n".join(
            synthetic.cell_defining(student, name).source
            for name in ("share_and_copy", "hwc_to_nchw", "normalize_channels")
        )
    )
    student.cells = [
        c
        for c in student.cells
        if not {"share_and_copy", "hwc_to_nchw", "normalize_channels"} & cells.definitions(c.source)
    ]
    student.cells.insert(5, merged)  # one cell with all four functions of 1.1, at another place
    graded = plan(handout, Q1, student)
    assert graded.notes == []
    code = sources(graded, "student")
    assert sum("def share_and_copy(" in s for s in code) == 1  # a student cell is used once
    assert sum("def normalize_channels(" in s for s in code) == 1
    assert not any("NotImplementedError" in s for s in code)


def test_renamed_and_deleted_functions_are_noted(handout: Handout, books: dict) -> None:
    student = synthetic.edited(books[Q1][1], "sgd_step", lambda s: s.replace("def sgd_step(", "def my_sgd_step("))
    student.cells = [c for c in student.cells if "def matmul_on(" not in c.source]
    graded = plan(handout, Q1, student)
    assert graded.notes == [
        "1.3: sgd_step not defined in your notebook (renamed or deleted?)",
        "1.5: no cell of yours defines matmul_on (renamed or deleted?); graded with the handout's unfinished version",
    ]
    assert any('raise NotImplementedError("Q1.5' in s for s in sources(graded, "student"))


def test_edited_check_cells_and_demonstrations_change_nothing(handout: Handout, books: dict) -> None:
    student = synthetic._copy(books[Q1][1])
    for cell in student.cells:
        if cell.cell_type == "code" and cell.source.startswith("checks.check_"):
            cell.source = "pass"
    graded = plan(handout, Q1, student)
    reference = plan(handout, Q1, books[Q1][1])
    assert [c.source for c in graded.cells] == [c.source for c in reference.cells]


def test_added_cells_keep_their_definitions_only(handout: Handout, books: dict) -> None:
    student = synthetic._copy(books[Q1][1])
    position = next(i for i, c in enumerate(student.cells) if "def share_and_copy(" in c.source)
    student.cells.insert(
        position,
        nbformat.v4.new_code_cell(
            "import math\n\ndef helper(x):\n    return math.sqrt(x)\n\nprint(train_for_an_hour())"
        ),
    )
    graded = plan(handout, Q1, student)
    (added,) = sources(graded, "added")
    assert "def helper(x):" in added and "import math" in added and "train_for_an_hour" not in added
    kinds = [c.kind for c in graded.cells]
    assert kinds.index("added") < kinds.index("student")  # where the student put it: before share_and_copy


def test_a_notebook_of_another_homework_is_refused(handout: Handout) -> None:
    other = nbformat.v4.new_notebook()
    other.cells = [nbformat.v4.new_code_cell("def fit_line(x, y):\n    return 1")]
    with pytest.raises(ForeignNotebook, match="another notebook"):
        plan(handout, Q1, other)
    # Question 2's notebook handed in as question 1's is another notebook too.
    with pytest.raises(ForeignNotebook):
        plan(handout, Q1, synthetic.notebooks()[Q2][1])


def test_the_graded_notebook_is_a_valid_notebook(handout: Handout, books: dict, tmp_path: Path) -> None:
    nb = plan(handout, Q1, books[Q1][1]).notebook()
    nbformat.validate(nb)
    assert all(c.metadata["grading"]["kind"] for c in nb.cells)

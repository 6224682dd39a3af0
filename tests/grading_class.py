"""One synthetic class for the grader's tests: graded once per test session (``graded_class`` in conftest.py).

The class: every kind of submission of ``grading.synthetic`` (the complete solutions, the
untouched handout, a zip, a hard-coder, the bad submissions), a few partial students, and
one student per attack in ``tests/grading_cheats/``. Each attack file is a cell snippet
with a header saying where it goes::

    # notebook: hw08-q01.ipynb         the notebook it is handed in with (the only one)
    # answered: NAME ... | *           solution cells taken from the complete solution (others: the stub)
    # unanswered: NAME ...             with ``*``: these cells stay the handout's stubs
    # after: NAME                      the snippet is appended to the cell defining NAME
    # scores: 1.1 1.3                  the parts that must score full points; every other part 0
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grading import cells, synthetic

CHEATS = Path(__file__).resolve().parent / "grading_cheats"
HEADER_RE = re.compile(r"^# (notebook|answered|unanswered|after|scores): ?(.*)$", re.MULTILINE)
#: Written by the ``pickled_reply`` attack if the grader ever unpickled its reply.
MARKER = Path("/tmp/hw08-grading-cheat-marker")


@dataclass(frozen=True)
class Student:
    name: str
    notebook: str
    answered: frozenset[str] | None  # None: every solution cell answered
    unanswered: frozenset[str]
    after: str | None
    scores: frozenset[str]
    code: str
    what: str


def _parse(path: Path) -> Student:
    text = path.read_text(encoding="utf-8")
    fields = dict(HEADER_RE.findall(text))
    answered = fields.get("answered", "").split()
    return Student(
        name=f"cheat-{path.stem.replace('_', '-')}",
        notebook=fields["notebook"],
        answered=None if answered == ["*"] else frozenset(answered),
        unanswered=frozenset(fields.get("unanswered", "").split()),
        after=fields.get("after") or None,
        scores=frozenset(fields["scores"].split()),
        code=text,
        what=text.split('"""')[1],
    )


def cheats() -> list[Student]:
    return [_parse(path) for path in sorted(CHEATS.glob("*.py"))]


PARTIAL = [
    Student(
        "partial-q1",
        "hw08-q01.ipynb",
        frozenset(
            {
                "share_and_copy",
                "hwc_to_nchw",
                "flatten_images",
                "normalize_channels",
                "sgd_step",
                "to_numpy",
                "zero_grad",
            }
        ),
        frozenset(),
        None,
        frozenset({"1.1", "1.3"}),
        "",
        "1.1 and 1.3 answered, the rest left as handed out",
    ),
    Student(
        "partial-q2",
        "hw08-q02.ipynb",
        frozenset({"pixel_mean_std", "make_transform", "MLP", "make_sequential", "make_criterion", "predict_proba"}),
        frozenset(),
        None,
        frozenset({"2.1", "2.2", "2.3"}),
        "",
        "2.1 to 2.3 answered: no training loop, so no final model is trained",
    ),
]


def notebook_of(student: Student, books: dict) -> nbformat.NotebookNode:
    handout, full = books[student.notebook]
    nb = nbformat.reads(nbformat.writes(handout if student.answered is not None else full), as_version=4)
    for index, (stub, solved) in enumerate(zip(handout.cells, full.cells)):
        if stub.cell_type != "code" or stub.source == solved.source:
            continue
        names = cells.definitions(solved.source)
        if student.answered is not None and names & student.answered:
            nb.cells[index].source = solved.source
        if student.answered is None and names & student.unanswered:
            nb.cells[index].source = stub.source
    if student.after:
        cell = synthetic.cell_defining(nb, student.after)
        cell.source = cell.source.rstrip("\n") + "\n\n\n" + student.code
    return nb


def students() -> list[Student]:
    return PARTIAL + cheats()


def utils_files_of(student: Student) -> dict[str, bytes]:
    """The student's files of ``utils`` (``utils/models.py``, ``utils/training.py``) for the names they answered."""
    from utils.parts import IN_UTILS

    mine = synthetic.utils_files()
    answered = {
        name
        for name in IN_UTILS
        if (name in student.answered if student.answered is not None else name not in student.unanswered)
    }
    return {file: mine[file] for file in sorted({IN_UTILS[name] for name in answered})}


#: Question 2 complete in the notebook, but neither utils/models.py nor utils/training.py handed in.
NO_UTILS = "no-utils-files"


def write_class(folder: Path, secret: Path) -> dict[str, Student]:
    """Every synthetic kind, the partial students and the attackers, one folder each under ``folder``;
    and :data:`NO_UTILS`."""
    synthetic.write_kinds(folder, secret=secret)
    books = synthetic.notebooks()
    made = {}
    for student in students():
        files = {student.notebook: notebook_of(student, books), **utils_files_of(student)}
        synthetic.write(folder / student.name, files)
        made[student.name] = student
    synthetic.write(folder / NO_UTILS, {"hw08-q02.ipynb": books["hw08-q02.ipynb"][1]})
    return made

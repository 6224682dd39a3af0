"""A class graded end to end, question 1 only (cheap): an LMS download, the student's setup cell and added
constants, re-grading one student, and a local Dask cluster of two workers giving the same gradebook as ``-j 2``."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from grading import synthetic
from grading.executor import Limits
from grading.runner import Options, grade

LIMITS = Limits(student_cell_seconds=30, output_bytes=5 * 2**20)
Q1 = "hw08-q01.ipynb"


def own_setup_and_constants(full: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Imports added to the setup cell, constants and an experiment in a cell of their own, used by a solution."""
    nb = nbformat.reads(nbformat.writes(full), as_version=4)
    setup = next(c for c in nb.cells if c.cell_type == "code")
    setup.source += "\nimport math\nfrom collections import deque"
    nb = synthetic.edited(nb, "numerical_grad", synthetic.prepend("_ROOT = math.sqrt(4.0) + len(deque([1]))"))
    target = nb.cells.index(synthetic.cell_defining(nb, "share_and_copy"))
    added = nbformat.v4.new_code_cell(
        "SCALE = 2.0\nPATTERN = {'a': 1}\nprint('my experiment')\nfor _ in range(10**12):\n    pass\n"
    )
    nb.cells.insert(target, added)
    return synthetic.edited(nb, "share_and_copy", synthetic.prepend("assert SCALE == 2.0 and PATTERN['a'] == 1"))


def rows(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    base = tmp_path_factory.mktemp("class")
    books = synthetic.notebooks()
    handout, full = books[Q1]
    downloads = base / "downloads"
    synthetic.write(
        downloads,
        {
            "doejane_12345_67890_hw08-q01 (1).ipynb": own_setup_and_constants(full),
            "roe_rick_55_66_hw08-q01.ipynb": full,
            "roe_rick_55_66_notes.txt": b"see my notebook",
        },
    )
    synthetic.write(downloads / "Zoë Ñúñez_4242_assignsubmission_file_", {"Copy of hw08-q01.ipynb": handout})
    out = base / "out"
    students = grade(downloads, out, Options(jobs=2, limits=LIMITS, progress=False))
    return SimpleNamespace(base=base, downloads=downloads, out=out, students={s.name: s for s in students})


def test_an_lms_download_gets_one_row_per_student(graded: SimpleNamespace) -> None:
    table = rows(graded.out)
    assert sorted(table) == ["Zoë Ñúñez (4242)", "doejane (12345)", "roe_rick (55)"]
    assert table["roe_rick (55)"]["Q1"] == "28"
    assert table["Zoë Ñúñez (4242)"]["Q1"] == "0" and table["Zoë Ñúñez (4242)"]["status_q01"] == "ok"
    intake = (graded.out / "intake.md").read_text()
    assert "roe_rick_55_66_notes.txt" in intake and "not a notebook" in intake
    feedback = (graded.out / "feedback" / "doejane_12345.md").read_text()
    assert "used: doejane_12345_67890_hw08-q01 (1).ipynb" in feedback


def test_setup_cell_imports_and_added_constants_are_kept_experiments_dropped(graded: SimpleNamespace) -> None:
    q01 = graded.students["doejane (12345)"].notebooks[Q1]
    failed = {pid: r.message for pid, r in q01.parts.items() if not r.passed}
    assert failed == {} and len(q01.parts) == 5
    assert q01.status == "ok"  # the endless experiment loop was not run


def test_regrading_one_student_leaves_everyone_else_byte_identical(graded: SimpleNamespace, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(graded.out, out)
    before = (out / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    feedback_before = {p.name: p.read_bytes() for p in (out / "feedback").iterdir()}
    downloads = tmp_path / "downloads"
    shutil.copytree(graded.downloads, downloads)
    books = synthetic.notebooks()
    # Zoë hands in her finished notebook late; only she is graded again
    shutil.rmtree(downloads / "Zoë Ñúñez_4242_assignsubmission_file_")
    synthetic.write(downloads / "Zoë Ñúñez_4242_assignsubmission_file_", {Q1: books[Q1][1]})
    grade(downloads, out, Options(jobs=1, limits=LIMITS, progress=False, only=("4242",)))
    after = (out / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1 and after[changed[0]].startswith("Zoë Ñúñez (4242),")
    assert rows(out)["Zoë Ñúñez (4242)"]["Q1"] == "28"
    feedback_after = {p.name: p.read_bytes() for p in (out / "feedback").iterdir()}
    assert {k for k in feedback_after if feedback_after[k] != feedback_before.get(k)} == {"Zo_ez_4242.md"}


def test_a_local_dask_cluster_gives_the_same_gradebook_as_two_jobs(graded: SimpleNamespace, tmp_path: Path) -> None:
    out = tmp_path / "dask"
    grade(graded.downloads, out, Options(limits=LIMITS, progress=False, scheduler="local:2"))
    assert (out / "gradebook.csv").read_bytes() == (graded.out / "gradebook.csv").read_bytes()

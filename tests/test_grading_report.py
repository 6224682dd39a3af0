"""grading.report and grading.results: gradebook rows, feedback files, summary plot, statuses."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grading import report
from grading.points import PartSpec
from grading.results import Normalizer, NotebookResult, PartResult, unanswered, worst
from grading.runner import StudentResult

PARTS = [
    PartSpec("1.1", "Tensors", 4, ("f",)),
    PartSpec("1.2", "Autograd", 6, ("g",)),
    PartSpec("2.1", "Data", 5, ("h",), written_answers=True),
]


def student(name: str, passed: dict[str, bool], q02_status: str = "ok") -> StudentResult:
    q01 = NotebookResult(
        "hw08-q01.ipynb",
        "ok",
        {p.id: PartResult(p, passed[p.id], "" if passed[p.id] else "wrong") for p in PARTS[:2]},
    )
    if q02_status == "missing":
        q02 = unanswered("hw08-q02.ipynb", "missing", PARTS[2:], "hw08-q02.ipynb was not submitted")
    else:
        q02 = NotebookResult("hw08-q02.ipynb", q02_status, {"2.1": PartResult(PARTS[2], passed["2.1"], "hint")})
        q02.test_accuracy = 0.9012
        q02.reasons = ["refused: read /secret"] if q02_status == "ok" else ["the kernel died"]
    return StudentResult(name, {"hw08-q01.ipynb": q01, "hw08-q02.ipynb": q02})


def test_statuses_order_by_severity() -> None:
    assert worst(["ok", "missing"]) == "missing"
    assert worst(["missing", "timeout", "ok"]) == "timeout"
    assert worst(["timeout", "crashed"]) == "crashed"
    assert worst(["crashed", "unreadable"]) == "unreadable"
    assert worst([]) == "ok"


def test_gradebook_rows_sum_parts_into_questions_and_total() -> None:
    students = [
        student("ann", {"1.1": True, "1.2": False, "2.1": True}),
        student("bo, jr.", {"1.1": True, "1.2": True, "2.1": False}, q02_status="missing"),
    ]
    text = report.gradebook_csv(students, PARTS)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "student", "name", "section", "total", "out_of", "Q1", "Q2", "1.1", "1.2", "2.1", "late_penalty",
        "test_accuracy", "status", "status_q01", "status_q02", "reason",
    ]  # fmt: skip
    assert rows[1] == [
        "ann",
        "",
        "",
        "9",
        "of 15",
        "4",
        "5",
        "4",
        "0",
        "5",
        "",
        "0.9012",
        "ok",
        "ok",
        "ok",
        "hw08-q02.ipynb: refused: read /secret",
    ]
    assert rows[2][:13] == ["bo, jr.", "", "", "10", "of 15", "10", "0", "4", "6", "0", "", "", "missing"]
    assert rows[2][-1] == "hw08-q02.ipynb: hw08-q02.ipynb was not submitted"


def test_feedback_lists_each_part_with_its_points_and_hint() -> None:
    text = report.feedback_markdown(student("ann", {"1.1": True, "1.2": False, "2.1": True}), PARTS)
    assert "**Total: 9 / 15 points** (status: ok)" in text
    assert "- ✓ 1.1 Tensors: 4 / 4" in text
    assert "- ✗ 1.2 Autograd: 0 / 6. wrong" in text
    assert "- ✓ 2.1 Data: 5 / 5" in text and "written answers of 2.1 are read by the instructor" in text
    assert "Test accuracy of your final model, trained by the grader: 0.9012" in text
    missing = report.feedback_markdown(student("bo", {"1.1": True, "1.2": True, "2.1": False}, "missing"), PARTS)
    assert "- ✗ 2.1 Data: 0 / 5\n" in missing and "- Why: hw08-q02.ipynb was not submitted" in missing


def test_feedback_file_names_are_safe_and_unique() -> None:
    taken: set[str] = set()
    assert report.feedback_name("Ann Lee", taken) == "Ann_Lee.md"
    assert report.feedback_name("Ann/Lee", taken) == "Ann_Lee-2.md"
    assert report.feedback_name("..", taken) == "student.md"


def test_write_all_writes_three_outputs(tmp_path: Path) -> None:
    students = [student(f"s{i}", {"1.1": i % 2 == 0, "1.2": True, "2.1": i < 3}) for i in range(5)]
    report.write_all(tmp_path, students, PARTS, ignored=["notes.txt"])
    assert (tmp_path / "gradebook.csv").read_text() == report.gradebook_csv(students, PARTS)
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == [f"s{i}.md" for i in range(5)]
    assert (tmp_path / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "notes.txt" in (tmp_path / "ignored.txt").read_text()
    report.write_all(tmp_path, students[:2], PARTS, ignored=[])  # a second run replaces the feedback
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == ["s0.md", "s1.md"]
    assert not (tmp_path / "ignored.txt").exists()


def test_messages_lose_the_paths_and_addresses_of_the_run() -> None:
    normalize = Normalizer({"/tmp/hw08-grading-abc/sandboxes/00003": "<sandbox>"})
    text = normalize("refused: write /tmp/hw08-grading-abc/sandboxes/00003/tmp/hidden-x1y2/f.pt at 0x7f00deadbeef")
    assert text == "refused: write <sandbox>/tmp/…/f.pt at 0x…"

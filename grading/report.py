"""The outputs of a grading run: ``gradebook.csv``, ``feedback/<student>.md``, ``summary.png``.

``gradebook.csv`` has one row per student, sorted by name: each part's points, each
question's total, the total, the test accuracy of question 2's final model, the status
(and each notebook's), and the reasons. It holds no time or path of the run, so grading
the same folder twice gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .handout import question_of
from .points import PartSpec

if TYPE_CHECKING:
    from .runner import StudentResult

STAMP = ".generated-by-grading"
GRADEBOOK = "gradebook.csv"
FEEDBACK = "feedback"
SUMMARY = "summary.png"
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def questions(parts: Sequence[PartSpec]) -> list[int]:
    return sorted({p.question for p in parts})


def gradebook_rows(students: Sequence[StudentResult], parts: Sequence[PartSpec]) -> list[list[str]]:
    """The gradebook as rows of strings, header first."""
    notebooks = sorted({name for s in students for name in s.notebooks})
    header = [
        "student",
        "total",
        *(f"Q{q}" for q in questions(parts)),
        *(p.id for p in parts),
        "test_accuracy",
        "status",
        *(f"status_{Path(n).stem.split('-')[-1]}" for n in notebooks),
        "reason",
    ]
    rows = [header]
    for student in students:
        results = student.part_results()
        score = {p.id: results[p.id].score if p.id in results else 0 for p in parts}
        accuracy = next((n.test_accuracy for n in student.notebooks.values() if n.test_accuracy is not None), None)
        reasons = list(student.notes) + [
            f"{name}: {reason}" for name, result in student.notebooks.items() for reason in result.reasons
        ]
        rows.append(
            [
                student.name,
                str(sum(score.values())),
                *(str(sum(score[p.id] for p in parts if p.question == q)) for q in questions(parts)),
                *(str(score[p.id]) for p in parts),
                "" if accuracy is None else f"{accuracy:.4f}",
                student.status,
                *(student.notebooks[n].status if n in student.notebooks else "missing" for n in notebooks),
                " | ".join(reasons),
            ]
        )
    return rows


def gradebook_csv(students: Sequence[StudentResult], parts: Sequence[PartSpec]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(gradebook_rows(students, parts))
    return buffer.getvalue()


def feedback_name(student: str, taken: set[str]) -> str:
    """A file name for the student's feedback: safe characters only, unique in the run."""
    base = UNSAFE.sub("_", student).strip("._") or "student"
    name, number = f"{base}.md", 2
    while name in taken:
        name, number = f"{base}-{number}.md", number + 1
    taken.add(name)
    return name


def feedback_markdown(student: StudentResult, parts: Sequence[PartSpec]) -> str:
    """One student's feedback: each part's ✓ or ✗ line with its points and hint."""
    results = student.part_results()
    maximum = sum(p.points for p in parts)
    lines = [
        f"# HW 8 feedback: {student.name}",
        "",
        f"**Total: {student.total} / {maximum} points** (status: {student.status})",
        "",
        (
            "A part earns its points when its self-check passes and so do the grader's hidden cases: the same "
            "kind of test on inputs, seeds and models the self-check does not use. Each line gives the first "
            "problem found."
        ),
    ]
    for note in student.notes:
        lines += ["", f"Note: {note}"]
    for question in questions(parts):
        own = [p for p in parts if p.question == question]
        notebook = next((n for name, n in student.notebooks.items() if question_of(name) == question), None)
        got = sum(results[p.id].score for p in own if p.id in results)
        status = f"{notebook.name}: {notebook.status}" if notebook else "not graded"
        lines += ["", f"## Question {question}: {got} / {sum(p.points for p in own)} points ({status})", ""]
        not_run = notebook is None or notebook.status in ("missing", "unreadable")
        for part in own:
            result = results.get(part.id)
            if result is not None and result.passed:
                lines.append(f"- ✓ {part.id} {part.title}: {part.points} / {part.points}")
            elif not_run:
                lines.append(f"- ✗ {part.id} {part.title}: 0 / {part.points}")
            else:
                message = result.message if result is not None else "not graded"
                lines.append(f"- ✗ {part.id} {part.title}: 0 / {part.points}. {message}")
            if part.written_answers:
                lines.append(f"  - The written answers of {part.id} are read by the instructor, not graded here.")
        if notebook and notebook.test_accuracy is not None:
            lines.append(f"- Test accuracy of your final model, trained by the grader: {notebook.test_accuracy:.4f}")
        for reason in notebook.reasons if notebook else []:
            lines.append(f"- {'Why' if not_run else 'Note'}: {reason}")
    return "\n".join(lines) + "\n"


def summary_png(path: Path, students: Sequence[StudentResult], parts: Sequence[PartSpec]) -> None:
    """Score distribution and pass rate per part."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    maximum = sum(p.points for p in parts)
    totals = [s.total for s in students]
    rates = [
        100
        * sum(1 for s in students if s.part_results().get(p.id) and s.part_results()[p.id].passed)
        / max(1, len(students))
        for p in parts
    ]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [1, 1.6]})
    left.hist(totals, bins=min(20, max(1, maximum)), range=(0, maximum), color="#4c72b0", edgecolor="white")
    left.set(
        xlabel=f"total points (of {maximum})", ylabel="students", title=f"Score distribution ({len(students)} students)"
    )
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    colors = [f"C{p.question - 1}" for p in parts]
    right.bar([p.id for p in parts], rates, color=colors)
    right.set(ylim=(0, 100), ylabel="students passing (%)", xlabel="part", title="Pass rate per part")
    right.tick_params(axis="x", labelrotation=90)
    figure.tight_layout()
    figure.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(figure)


def write_all(out: Path, students: Sequence[StudentResult], parts: Sequence[PartSpec], ignored: Sequence[str]) -> None:
    """Write the three outputs into ``out`` (the previous feedback folder is replaced)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / STAMP).write_text("Written by the grader (make grade); its files are replaced on each run.\n")
    (out / GRADEBOOK).write_text(gradebook_csv(students, parts), encoding="utf-8")
    feedback = out / FEEDBACK
    if feedback.exists():
        shutil.rmtree(feedback)
    feedback.mkdir()
    taken: set[str] = set()
    for student in students:
        (feedback / feedback_name(student.name, taken)).write_text(feedback_markdown(student, parts), encoding="utf-8")
    summary_png(out / SUMMARY, students, parts)
    if ignored:
        (out / "ignored.txt").write_text(
            "Entries of SUBMISSIONS that are neither a folder nor a .zip (not graded):\n"
            + "".join(f"{name}\n" for name in ignored)
        )
    elif (out / "ignored.txt").exists():
        (out / "ignored.txt").unlink()

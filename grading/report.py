"""The outputs of a grading run: ``gradebook.csv``, ``feedback/<student>.md``, ``summary.png``.

``gradebook.csv`` has one row per student, sorted by name: each part's points, each
question's total, the total, the test accuracy of question 2's final model, the status
(and each notebook's), and the reasons. It holds no time or path of the run, so grading
the same folder twice gives the same bytes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import spreadsheet
from .handout import question_of
from .points import PartSpec
from .policy import Late, Policy, auto_score, fmt, late

if TYPE_CHECKING:
    from .runner import StudentResult

STAMP = ".generated-by-grading"
GRADEBOOK = "gradebook.csv"
FEEDBACK = "feedback"
SUMMARY = "summary.png"
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def questions(parts: Sequence[PartSpec]) -> list[int]:
    return sorted({p.question for p in parts})


@dataclass
class Score:
    """A student's points under the policy: auto-graded per part, written answers, late deduction."""

    auto: dict[str, float]
    written: dict[str, float | None]  # part -> points given by a person, None while pending
    comments: dict[str, str]
    late: Late
    maximum: int
    pending: int  # points of written answers not graded yet

    @property
    def earned(self) -> float:
        return sum(self.auto.values()) + sum(v for v in self.written.values() if v is not None)

    @property
    def deduction(self) -> float:
        return self.earned if self.late.refused else min(self.earned, self.maximum * self.late.percent / 100)

    @property
    def total(self) -> float:
        return self.earned - self.deduction

    def part(self, pid: str) -> float:
        return self.auto.get(pid, 0.0) + (self.written.get(pid) or 0.0)

    @property
    def out_of(self) -> str:
        if self.pending:
            return f"of {self.maximum - self.pending} auto-graded + {self.pending} pending"
        return f"of {self.maximum}"


def score(
    student: StudentResult,
    parts: Sequence[PartSpec],
    policy: Policy | None = None,
    manual: dict[tuple[str, str], tuple[float, str]] | None = None,
) -> Score:
    policy = policy or Policy()
    manual = manual or {}
    results = student.part_results()
    auto = {}
    for p in parts:
        result = results.get(p.id)
        auto[p.id] = auto_score(policy, p, bool(result and result.passed), result.cases if result else None)
    written: dict[str, float | None] = {}
    comments: dict[str, str] = {}
    for pid in policy.manual:
        given = manual.get((student.name, pid))
        written[pid] = given[0] if given else None
        if given and given[1]:
            comments[pid] = given[1]
    pending = sum(policy.manual[pid].points for pid, v in written.items() if v is None)
    identities = [student.name, *(student.info.get(k, "") for k in ("student_id", "lms_id", "name"))]
    late_info = late(policy, [i for i in identities if i], student.info)
    return Score(auto, written, comments, late_info, sum(p.points for p in parts), pending)


def gradebook_rows(
    students: Sequence[StudentResult],
    parts: Sequence[PartSpec],
    policy: Policy | None = None,
    manual: dict[tuple[str, str], tuple[float, str]] | None = None,
) -> list[list[str]]:
    """The gradebook as rows of strings, header first."""
    policy = policy or Policy()
    notebooks = sorted({name for s in students for name in s.notebooks})
    header = [
        "student",
        "name",
        "section",
        "total",
        "out_of",
        *(f"Q{q}" for q in questions(parts)),
        *(p.id for p in parts),
        *(f"{pid} written" for pid in policy.manual),
        "late_penalty",
        "test_accuracy",
        "status",
        *(f"status_{Path(n).stem.split('-')[-1]}" for n in notebooks),
        "reason",
    ]
    rows = [header]
    for student in students:
        scored = score(student, parts, policy, manual)
        accuracy = next((n.test_accuracy for n in student.notebooks.values() if n.test_accuracy is not None), None)
        reasons = list(student.notes) + [
            f"{name}: {reason}" for name, result in student.notebooks.items() for reason in result.reasons
        ]
        if scored.late.note:
            reasons.append(scored.late.note)
        rows.append(
            [
                student.name,
                student.info.get("name", ""),
                student.info.get("section", ""),
                fmt(scored.total),
                scored.out_of,
                *(fmt(sum(scored.part(p.id) for p in parts if p.question == q)) for q in questions(parts)),
                *(fmt(scored.auto[p.id]) for p in parts),
                *("pending" if scored.written[pid] is None else fmt(scored.written[pid]) for pid in policy.manual),
                fmt(scored.deduction) if scored.late.days else "",
                "" if accuracy is None else f"{accuracy:.4f}",
                student.status,
                *(student.notebooks[n].status if n in student.notebooks else "missing" for n in notebooks),
                " | ".join(reasons),
            ]
        )
    return rows


def gradebook_csv(
    students: Sequence[StudentResult],
    parts: Sequence[PartSpec],
    policy: Policy | None = None,
    manual: dict[tuple[str, str], tuple[float, str]] | None = None,
) -> str:
    return spreadsheet.csv_text(gradebook_rows(students, parts, policy, manual))


def feedback_name(student: str, taken: set[str]) -> str:
    """A file name for the student's feedback: safe characters only, unique in the run."""
    base = UNSAFE.sub("_", student).strip("._") or "student"
    name, number = f"{base}.md", 2
    while name in taken:
        name, number = f"{base}-{number}.md", number + 1
    taken.add(name)
    return name


def feedback_markdown(
    student: StudentResult,
    parts: Sequence[PartSpec],
    policy: Policy | None = None,
    manual: dict[tuple[str, str], tuple[float, str]] | None = None,
) -> str:
    """One student's feedback: each part's ✓ or ✗ line with its points and hint; files used; late; written answers."""
    policy = policy or Policy()
    results = student.part_results()
    scored = score(student, parts, policy, manual)
    name = student.info.get("name")
    title = student.name if not name or name == student.name else f"{name} ({student.name})"
    lines = [
        f"# HW 8 feedback: {title}",
        "",
        f"**Total: {fmt(scored.total)} / {scored.maximum} points** (status: {student.status})"
        + (f"; {scored.pending} points of written answers not graded yet" if scored.pending else ""),
        "",
        (
            "A part earns its points when its self-check passes and so do the grader's hidden cases: the same "
            "kind of test on inputs, seeds and models the self-check does not use. Each line gives the first "
            "problem found."
        ),
    ]
    if scored.late.note:
        lines += ["", f"Late: {scored.late.note} (-{fmt(scored.deduction)} points)."]
    for note in student.notes:
        lines += ["", f"Note: {note}"]
    for question in questions(parts):
        own = [p for p in parts if p.question == question]
        notebook = next((n for name, n in student.notebooks.items() if question_of(name) == question), None)
        got = sum(scored.part(p.id) for p in own)
        status = f"{notebook.name}: {notebook.status}" if notebook else "not graded"
        lines += ["", f"## Question {question}: {fmt(got)} / {sum(p.points for p in own)} points ({status})", ""]
        not_run = notebook is None or notebook.status in ("missing", "unreadable")
        for part in own:
            result = results.get(part.id)
            code = part.points - policy.manual_points(part.id)
            if result is not None and result.passed:
                lines.append(f"- ✓ {part.id} {part.title}: {fmt(scored.auto[part.id])} / {code}")
            elif not_run:
                lines.append(f"- ✗ {part.id} {part.title}: 0 / {code}")
            else:
                message = result.message if result is not None else "not graded"
                partial = (
                    f" ({result.cases[0]} of {result.cases[1]} checks pass)"
                    if result is not None and result.cases and scored.auto[part.id] > 0
                    else ""
                )
                lines.append(f"- ✗ {part.id} {part.title}: {fmt(scored.auto[part.id])} / {code}{partial}. {message}")
            if part.id in policy.manual:
                given = scored.written.get(part.id)
                share = policy.manual[part.id].points
                if given is None:
                    lines.append(f"  - Written answers: pending ({share} points, read by the instructor)")
                else:
                    comment = scored.comments.get(part.id)
                    lines.append(f"  - Written answers: {fmt(given)} / {share}" + (f". {comment}" if comment else ""))
            elif part.written_answers:
                lines.append(f"  - The written answers of {part.id} are read by the instructor, not graded here.")
        if notebook and notebook.test_accuracy is not None:
            lines.append(f"- Test accuracy of your final model, trained by the grader: {notebook.test_accuracy:.4f}")
        for reason in notebook.reasons if notebook else []:
            lines.append(f"- {'Why' if not_run else 'Note'}: {reason}")
    if student.files:
        lines += ["", "## Files received", ""]
        lines += [f"- {line}" for line in student.files]
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


STAMP_TEXT = "Written by the grader (make grade); its files are replaced on each run.\n"


def write_all(
    out: Path,
    students: Sequence[StudentResult],
    parts: Sequence[PartSpec],
    ignored: Sequence[str],
    policy: Policy | None = None,
    manual_scores: Path | None = None,
) -> None:
    """Write the outputs into ``out`` (the previous feedback folder is replaced): gradebook, feedback, summary,
    the manual-grading sheets and the exports."""
    from . import exports, manual

    policy = policy or Policy()
    names = [s.name for s in students]
    merged = manual.read_scores(manual_scores, policy, parts, names) if manual_scores else None
    out.mkdir(parents=True, exist_ok=True)
    (out / STAMP).write_text(STAMP_TEXT)
    (out / GRADEBOOK).write_text(gradebook_csv(students, parts, policy, merged), encoding="utf-8")
    feedback = out / FEEDBACK
    if feedback.exists():
        shutil.rmtree(feedback)
    feedback.mkdir()
    taken: set[str] = set()
    for student in students:
        (feedback / feedback_name(student.name, taken)).write_text(
            feedback_markdown(student, parts, policy, merged), encoding="utf-8"
        )
    summary_png(out / SUMMARY, students, parts)
    if policy.manual:
        manual.write_sheets(out, students, parts, policy)
    exports.write_exports(out, students, parts, policy, merged)
    if ignored:
        (out / "ignored.txt").write_text(
            "Entries of SUBMISSIONS that belong to no student (not graded):\n"
            + "".join(f"{name}\n" for name in ignored)
        )
    elif (out / "ignored.txt").exists():
        (out / "ignored.txt").unlink()

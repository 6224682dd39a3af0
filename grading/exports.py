"""Exports where grades go: ``OUT/exports/``, written with the gradebook.

* ``canvas-gradebook.csv``: Canvas's gradebook import (Grades > Import): the columns ``Student,
  ID, SIS User ID, SIS Login ID, Section`` then one column per assignment, ``<name> (<id>)``
  when grading.toml gives ``[exports] canvas_assignment_id`` (Canvas then matches the column to
  that assignment, else it offers to create a new one), and a ``Points Possible`` row. Canvas
  matches a row by ``ID`` (its user id: from a Canvas download's file names or the roster's
  ``lms_id``), else ``SIS User ID`` (the roster's ``student_id``), else ``SIS Login ID``.
* ``moodle-grades.csv``: Moodle's gradebook import (Grades > Import > CSV file): ``ID number,
  Email address, Full name, <assignment>, Feedback``; map ``ID number`` (or ``Email address``)
  to the user field and ``<assignment>`` to the grade item, ``Feedback`` to its feedback.
* ``moodle-worksheet.csv``: the assignment's offline grading worksheet (Assignment > View all
  submissions > Upload grading worksheet): ``Identifier`` is ``Participant <id>``, the id of a
  Moodle download's folder names.
* ``feedback-canvas.zip`` and ``feedback-moodle.zip``: one feedback file (HTML) per student,
  named the way each LMS's bulk upload takes them: Canvas's "Re-upload submissions" attaches
  ``<name>_<user id>_<submission id>_feedback.html`` to that student's submission as a comment;
  Moodle's "Upload multiple feedback files in a zip" takes ``<Full Name>_<id>_assignsubmission_file_/feedback.html``.

A student the LMS cannot be told (no LMS id, no student id) is left out of that file and named in
``exports/README.txt``, as is every student whose written answers are still pending.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import spreadsheet
from .points import PartSpec
from .policy import Policy, fmt

if TYPE_CHECKING:
    from .runner import StudentResult

FOLDER = "exports"
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_HEADER = ["ID number", "Email address", "Full name"]
WORKSHEET_HEADER = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade", "Feedback comments"]
#: A fixed time stamp for zip members, so the same grades give the same bytes.
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def _csv(rows: list[list[str]]) -> str:
    return spreadsheet.csv_text(rows)


def _canvas_name(student: StudentResult) -> str:
    """Canvas's display order is "Last, First"; intake knows the name as the LMS or the roster spells it."""
    return student.info.get("name", student.name)


def canvas_csv(
    students: Sequence[StudentResult], totals: dict[str, float], maximum: int, assignment: str, assignment_id: str
) -> tuple[str, list[str]]:
    column = f"{assignment} ({assignment_id})" if assignment_id else assignment
    rows = [[*CANVAS_HEADER, column], ["    Points Possible", "", "", "", "", str(maximum)]]
    left_out = []
    for student in students:
        info = student.info
        canvas_id = info.get("lms_id", "") if info.get("lms", "canvas") == "canvas" else ""
        sis, login = info.get("student_id", ""), info.get("login", "")
        if not (canvas_id or sis or login):
            left_out.append(student.name)
            continue
        rows.append([_canvas_name(student), canvas_id, sis, login, info.get("section", ""), fmt(totals[student.name])])
    return _csv(rows), left_out


def moodle_csv(
    students: Sequence[StudentResult], totals: dict[str, float], assignment: str, feedback: dict[str, str]
) -> tuple[str, list[str]]:
    rows = [[*MOODLE_HEADER, assignment, "Feedback"]]
    left_out = []
    for student in students:
        info = student.info
        if not (info.get("student_id") or info.get("email")):
            left_out.append(student.name)
            continue
        rows.append(
            [
                info.get("student_id", ""),
                info.get("email", ""),
                info.get("name", student.name),
                fmt(totals[student.name]),
                feedback[student.name],
            ]
        )
    return _csv(rows), left_out


def moodle_worksheet(
    students: Sequence[StudentResult], totals: dict[str, float], maximum: int, feedback: dict[str, str]
) -> str:
    rows = [WORKSHEET_HEADER]
    for student in students:
        info = student.info
        if info.get("lms") != "moodle" or not info.get("lms_id"):
            continue
        rows.append(
            [
                f"Participant {info['lms_id']}",
                info.get("name", student.name),
                info.get("email", ""),
                "Submitted for grading" if student.notebooks else "No submission",
                fmt(totals[student.name]),
                str(maximum),
                feedback[student.name],
            ]
        )
    return _csv(rows)


def _html(markdown: str, title: str) -> str:
    import html

    import mistune

    body = mistune.create_markdown(escape=True)(markdown)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body>\n{body}</body></html>\n"
    )


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def feedback_files(students: Sequence[StudentResult], texts: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """``(Canvas files, Moodle files)``: file name in the zip -> HTML."""
    canvas, moodle = {}, {}
    for student in students:
        info = student.info
        page = _html(texts[student.name], f"HW 8 feedback: {student.name}")
        if info.get("lms") == "canvas" and info.get("lms_id"):
            prefix = f"{info.get('lms_name', 'student')}_{info['lms_id']}_{info.get('canvas_submission', '0')}"
            canvas[f"{prefix}_feedback.html"] = page
        if info.get("lms") == "moodle" and info.get("lms_id"):
            moodle[f"{info.get('lms_name', student.name)}_{info['lms_id']}_assignsubmission_file_/feedback.html"] = page
    return canvas, moodle


def write_exports(
    out: Path,
    students: Sequence[StudentResult],
    parts: Sequence[PartSpec],
    policy: Policy,
    manual: dict[tuple[str, str], tuple[float, str]] | None,
) -> None:
    from .report import feedback_markdown, score

    folder = out / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    scores = {s.name: score(s, parts, policy, manual) for s in students}
    totals = {name: sc.total for name, sc in scores.items()}
    maximum = sum(p.points for p in parts)
    texts = {s.name: feedback_markdown(s, parts, policy, manual) for s in students}
    short = {
        name: f"{fmt(sc.total)} / {maximum} ({sc.out_of}). The feedback file has every part."
        for name, sc in scores.items()
    }
    canvas, canvas_left = canvas_csv(students, totals, maximum, policy.assignment, policy.canvas_assignment_id)
    moodle, moodle_left = moodle_csv(students, totals, policy.assignment, short)
    (folder / "canvas-gradebook.csv").write_text(canvas, encoding="utf-8")
    (folder / "moodle-grades.csv").write_text(moodle, encoding="utf-8")
    (folder / "moodle-worksheet.csv").write_text(moodle_worksheet(students, totals, maximum, short), encoding="utf-8")
    canvas_files, moodle_files = feedback_files(students, texts)
    for name, files in (("feedback-canvas.zip", canvas_files), ("feedback-moodle.zip", moodle_files)):
        path = folder / name
        if files:
            path.write_bytes(_zip(files))
        elif path.exists():
            path.unlink()
    pending = sorted(name for name, sc in scores.items() if sc.pending)
    lines = ["Exports of this gradebook (see grading/exports.py for each LMS's import steps).", ""]
    if pending:
        lines += [f"{len(pending)} students still have written answers pending: their totals are not final yet."]
    if canvas_left:
        lines += ["Not in canvas-gradebook.csv (no Canvas id, SIS user id or login): " + ", ".join(canvas_left)]
    if moodle_left:
        lines += ["Not in moodle-grades.csv (no student id or email; pass ROSTER=): " + ", ".join(moodle_left)]
    (folder / "README.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

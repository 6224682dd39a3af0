"""Written answers, graded by a person: the sheets to read, the CSV to fill in, and merging it back.

For each part that ``grading.toml``'s ``[manual]`` table lists (parts with written answers),
``make grade`` writes into ``OUT/manual/``:

* ``<part>.html``: one section per student, their answers (the handout's answer cells, found
  by cell id, else by the ``answer`` tag, else the markdown cells they wrote under the part's
  heading), the auto-graded verdict of the part's code, the rubric and the reference answers;
* ``scores.csv``: ``student, name, part, max_points, points, comment``, one row per student and
  part, ``points`` empty. Fill in ``points`` (and ``comment``), then ``make grade ...
  MANUAL=manual/scores.csv`` merges them: the gradebook's pending points become points.

A copy of ``scores.csv`` with some rows filled in is fine: empty rows stay pending. Rows are
checked before anything is merged (an unknown student or part, points above the share or
not a number: the line and the fix are named) and nothing is lost: the CSV is only read.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from . import spreadsheet
from .handout import HandoutNotebook
from .points import PartSpec

if TYPE_CHECKING:
    from .policy import Policy
    from .runner import StudentResult

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "manual"
SCORES = "scores.csv"
COLUMNS = ["student", "name", "part", "max_points", "points", "comment"]
PLACEHOLDER = "*Your answer here.*"
NOT_ANSWERED = "(not answered: the handout's placeholder is unchanged)"


class ManualScoresError(ValueError):
    """The filled-in CSV cannot be merged; the message names the line and the fix."""


def _answer_cells(handout: HandoutNotebook) -> dict[str, list[tuple[int, str | None]]]:
    """Part -> (index, id) of the handout's answer cells."""
    found: dict[str, list[tuple[int, str | None]]] = {}
    for cell in handout.cells:
        source = handout.notebook.cells[cell.index]
        tags = source.get("metadata", {}).get("tags") or []
        if cell.kind == "text" and ("answer" in tags or source.source.strip() == PLACEHOLDER) and cell.part:
            found.setdefault(cell.part, []).append((cell.index, cell.id))
    return found


def _part_of_heading(source: str) -> str | None:
    import re

    match = re.match(r"^#{1,6}\s+(\d+\.\d+)\b", source.strip())
    return match.group(1) if match else None


def written_answers(
    student: nbformat.NotebookNode, handout: HandoutNotebook, parts: Sequence[PartSpec]
) -> dict[str, list[str]]:
    """Part -> the student's written answers (markdown text), for the parts with written answers."""
    wanted = {p.id for p in parts if p.written_answers}
    by_id = {c.get("id"): c for c in student.cells if c.get("cell_type") == "markdown" and c.get("id")}
    handout_text = {c.source.strip() for c in handout.notebook.cells if c.cell_type == "markdown"}
    answers: dict[str, list[str]] = {}
    for part, cells in _answer_cells(handout).items():
        if part not in wanted:
            continue
        texts = [by_id[cid].source.strip() for _, cid in cells if cid in by_id]
        if not texts:  # pasted into a new notebook: the tagged cells, else their own markdown under the heading
            current, tagged, under = None, [], []
            for cell in student.cells:
                if cell.get("cell_type") != "markdown":
                    continue
                current = _part_of_heading(cell.source) or current
                if current != part:
                    continue
                if "answer" in (cell.get("metadata", {}).get("tags") or []):
                    tagged.append(cell.source.strip())
                elif cell.source.strip() not in handout_text and not _part_of_heading(cell.source):
                    under.append(cell.source.strip())
            texts = tagged or under
        answers[part] = [NOT_ANSWERED if t == PLACEHOLDER or not t else t for t in texts] or [NOT_ANSWERED]
    for part in sorted(wanted):
        answers.setdefault(part, [NOT_ANSWERED])
    return answers


def student_code(student: nbformat.NotebookNode, handout: HandoutNotebook) -> str:
    """The student's code cells that differ from the handout's (for the similarity report)."""
    handout_code = {c.source.strip() for c in handout.notebook.cells if c.cell_type == "code"}
    kept = [c.source for c in student.cells if c.get("cell_type") == "code" and c.source.strip() not in handout_code]
    return "\n\n".join(kept) + ("\n" if kept else "")


def reference_answers(root: Path = ROOT) -> dict[str, list[str]]:
    """Part -> the instructor's model answers, from the solution notebooks."""
    from utils.parts import PARTS

    found: dict[str, list[str]] = {}
    for path in sorted((root / "notebooks").glob("hw08-q*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        current = None
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            current = _part_of_heading(cell.source) or current
            if "answer" in (cell.metadata.get("tags") or []) and current:
                found.setdefault(current, []).append(cell.source.strip())
    return {p.id: found.get(p.id, []) for p in PARTS if p.written_answers}


# ---------------------------------------------------------------------------------------------- scores


def read_scores(
    path: Path, policy: Policy, parts: Sequence[PartSpec], students: Sequence[str] | None = None
) -> dict[tuple[str, str], tuple[float, str]]:
    """``(student, part) -> (points, comment)`` from a filled-in ``scores.csv``; rows without points are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise SystemExit(f"MANUAL={path} cannot be read ({error}): pass the scores.csv you filled in") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("student", "part", "points") if c not in (reader.fieldnames or [])]
    if missing:
        raise SystemExit(
            f"MANUAL={path}: no {', '.join(missing)} column (header: {', '.join(reader.fieldnames or [])}); "
            f"start from {FOLDER}/{SCORES} written by make grade (columns {', '.join(COLUMNS)})"
        )
    known = {p.id for p in parts}
    scores: dict[tuple[str, str], tuple[float, str]] = {}
    for number, row in enumerate(reader, start=2):
        student, part, points = (
            spreadsheet.plain((row.get("student") or "").strip()),
            (row.get("part") or "").strip(),
            (row.get("points") or "").strip(),
        )
        if not (points or "").strip():
            continue
        where = f"MANUAL={path}, line {number}"
        if part not in policy.manual:
            graded = ", ".join(policy.manual) or "none"
            raise SystemExit(
                f"{where}: part {part!r} is not graded by hand (grading.toml [manual]: {graded}); fix the part"
            )
        if part not in known:  # pragma: no cover (policy.load checks [manual] parts)
            raise SystemExit(f"{where}: no part {part!r}")
        if students is not None and student not in students:
            raise SystemExit(
                f"{where}: no student {student!r} in the gradebook; copy the student column from {FOLDER}/{SCORES}"
            )
        try:
            value = float(points.replace(",", "."))
        except ValueError:
            raise SystemExit(f"{where}: points {points!r} is not a number; write e.g. 3 or 2.5") from None
        share = policy.manual[part].points
        if not 0 <= value <= share:
            raise SystemExit(f"{where}: {value:g} points for {part}, but its written answers are worth 0 to {share}")
        if (student, part) in scores:
            raise SystemExit(f"{where}: {student} and {part} are given points twice; keep one row")
        scores[(student, part)] = (value, spreadsheet.plain((row.get("comment") or "").strip()))
    return scores


def scores_csv(students: Sequence[StudentResult], policy: Policy) -> str:
    rows = [
        [student.name, student.info.get("name", student.name), part, spec.points, "", ""]
        for part, spec in policy.manual.items()
        for student in students
    ]
    return spreadsheet.csv_text([COLUMNS, *rows])


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
section { border-top: 2px solid #ccc; padding: 0.5rem 0 1rem; }
.answer { white-space: pre-wrap; background: #f6f6f2; padding: 0.6rem 0.8rem; border-left: 4px solid #4c72b0; }
.rubric, .reference { white-space: pre-wrap; font-size: 0.92em; }
.verdict { color: #555; }
details { margin: 0.5rem 0; }
"""


def sheet_html(part: PartSpec, students: Sequence[StudentResult], policy: Policy, references: list[str]) -> str:
    """The grading sheet of ``part``: one section per student, answers escaped (student text is never markup)."""
    share = policy.manual[part.id]
    esc = html.escape
    rubric = f'<div class="rubric">{esc(share.rubric)}</div>' if share.rubric else "<p>(no rubric in grading.toml)</p>"
    reference = "".join(f'<div class="reference">{esc(text)}</div><hr>' for text in references)
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(part.id)} {esc(part.title)}: written answers</title><style>{STYLE}</style></head><body>",
        f"<h1>{esc(part.id)} {esc(part.title)}: written answers ({share.points} of {part.points} points)</h1>",
        (
            f"<p>{len(students)} students. Enter the points (0 to {share.points}) in {FOLDER}/{SCORES}, then run "
            "<code>make grade SUBMISSIONS=... MANUAL=scores.csv</code>.</p>"
        ),
        f"<h2>Rubric</h2>{rubric}",
        f"<details><summary>Reference answers</summary>{reference or '<p>none</p>'}</details>",
    ]
    body = []
    for student in students:
        result = student.part_results().get(part.id)
        verdict = (
            "code: passes"
            if result and result.passed
            else f"code: fails ({result.message if result else 'not graded'})"
        )
        answers = student.answers.get(part.id) or [NOT_ANSWERED]
        name = student.info.get("name", student.name)
        title = esc(student.name) + (f" ({esc(name)})" if name != student.name else "")
        body.append(
            f'<section id="{esc(student.name, quote=True)}"><h2>{title}</h2>'
            f'<p class="verdict">{esc(verdict)}</p>'
            + "".join(f'<div class="answer">{esc(text)}</div>' for text in answers)
            + f"<p>Points: ____ / {share.points}</p></section>"
        )
    return "\n".join([*head, *body, "</body></html>"]) + "\n"


def write_sheets(out: Path, students: Sequence[StudentResult], parts: Sequence[PartSpec], policy: Policy) -> None:
    folder = out / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    if not policy.manual:
        return
    references = reference_answers()
    by_id = {p.id: p for p in parts}
    for part in policy.manual:
        (folder / f"{part}.html").write_text(
            sheet_html(by_id[part], students, policy, references.get(part, [])), encoding="utf-8"
        )
    blank = folder / SCORES
    if not blank.exists():  # never overwrite the instructor's own entries
        blank.write_text(scores_csv(students, policy), encoding="utf-8")
    else:
        have = {
            (spreadsheet.plain(r["student"]), r["part"])
            for r in csv.DictReader(io.StringIO(blank.read_text(encoding="utf-8-sig")))
        }
        new = [
            [s.name, s.info.get("name", s.name), p, policy.manual[p].points, "", ""]
            for p in policy.manual
            for s in students
            if (s.name, p) not in have
        ]
        if new:
            with open(blank, "a", newline="", encoding="utf-8") as handle:
                csv.writer(handle, lineterminator="\n").writerows(spreadsheet.rows(new))

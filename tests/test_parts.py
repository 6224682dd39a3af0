"""utils/parts.py is the one table of parts and points: statements, notebooks and the guide agree with it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from utils import parts

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = sorted(parts.QUESTIONS)
MARKER = "### BEGIN SOLUTION"
PART_HEADING_RE = re.compile(r"^(#{2,3})\s+(\d+)\.(\d+)\b(.*)$")
TOTAL_RE = re.compile(r"(\d+) points in all,\s+of the homework's (\d+)")


def statement(question: int) -> str:
    return (ROOT / f"hw08-q0{question}.md").read_text(encoding="utf-8")


def notebook(question: int) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / f"hw08-q0{question}.ipynb", as_version=4)


def markdown_headings(text: str, level: int) -> list[str]:
    """The text of every ``#``-``level`` heading ``N.M ...`` (outside code blocks)."""
    found, in_code = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        match = PART_HEADING_RE.match(line)
        if not in_code and match and len(match.group(1)) == level:
            found.append(line[level + 1 :].strip())
    return found


def cells_by_part(nb: nbformat.NotebookNode) -> list[tuple[str | None, nbformat.NotebookNode]]:
    """Each cell with the part ``N.M`` of the nearest ``## N.M`` heading above it (or at its start)."""
    part, result = None, []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.split("\n"):
                match = PART_HEADING_RE.match(line)
                if match and len(match.group(1)) == 2:
                    part = f"{match.group(2)}.{match.group(3)}"
        result.append((part, cell))
    return result


def solution_names(source: str) -> set[str]:
    """Top-level functions and classes of a code cell that hold a solution region (what the student writes)."""
    lines = source.split("\n")
    return {
        node.name
        for node in ast.parse(source).body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef))
        and any(line.strip() == MARKER for line in lines[node.lineno - 1 : node.end_lineno])
    }


# ----------------------------------------------------------------------------- the table itself


def test_part_ids_are_unique_ordered_and_numbered_from_one():
    ids = [part.id for part in parts.PARTS]
    assert len(ids) == len(set(ids)), f"duplicate part ids in {ids}"
    for question in QUESTIONS:
        minors = [int(part.id.split(".")[1]) for part in parts.parts_of(question)]
        assert minors == list(range(1, len(minors) + 1)), f"question {question}: parts {minors} are not 1, 2, ..."


def test_titles_are_unique():
    titles = [part.title for part in parts.PARTS]
    assert len(titles) == len(set(titles)), f"two parts share a title: {titles}"


def test_points_are_positive_and_add_up():
    assert all(part.points > 0 for part in parts.PARTS)
    assert (
        parts.total_points()
        == sum(parts.question_points(q) for q in QUESTIONS)
        == sum(part.points for part in parts.PARTS)
    )


def test_no_part_outweighs_a_whole_question():
    """Points follow the work: one part is never worth more than another question in full."""
    smallest_question = min(parts.question_points(q) for q in QUESTIONS)
    heaviest = max(parts.PARTS, key=lambda part: part.points)
    assert heaviest.points < smallest_question / 2, f"{heaviest.id} is worth {heaviest.points} points"


def test_headings_and_lookup():
    assert parts.part_heading("2.4") == "2.4 Training loop (7 points)"
    assert parts.question_heading(1).startswith("Question 1: Tensors, autograd and devices (")
    with pytest.raises(KeyError, match="no part '9.9': the parts are 1.1, 1.2"):
        parts.part("9.9")
    with pytest.raises(KeyError, match="no question 7"):
        parts.parts_of(7)


def test_solution_names_are_the_definitions_holding_a_solution():
    source = f"class Given:\n    pass\n\n\ndef yours():\n    {MARKER}\n    return 1\n    ### END SOLUTION\n"
    assert solution_names(source) == {"yours"}


def test_heading_reader_finds_part_headings_only():
    text = "## Question 2: X (3 points)\n\n### 2.1 Data (1 point)\n\n```\n### 2.9 in code\n```\n#### 2.2 deeper\n"
    assert markdown_headings(text, 3) == ["2.1 Data (1 point)"]


# ------------------------------------------------------------------------- the statements


@pytest.mark.parametrize("question", QUESTIONS)
def test_statement_headings_match_the_table(question: int):
    text = statement(question)
    first = next(line for line in text.split("\n") if line.startswith("## "))
    assert first == f"## {parts.question_heading(question)}", f"hw08-q0{question}.md starts with {first!r}"
    expected = [parts.part_heading(part.id) for part in parts.parts_of(question)]
    assert markdown_headings(text, 3) == expected


def test_the_guide_states_the_homework_total():
    guide = (ROOT / "hw08.qmd").read_text(encoding="utf-8")
    match = re.search(r"worth (\d+) points: (\d+) for question 1, (\d+) for question 2 and (\d+) for question 3", guide)
    assert match, "hw08.qmd must state the homework's total and each question's points before the questions"
    total, *questions = (int(group) for group in match.groups())
    assert total == parts.total_points()
    assert questions == [parts.question_points(q) for q in QUESTIONS]


# -------------------------------------------------------------------------- the notebooks


@pytest.mark.parametrize("question", QUESTIONS)
def test_notebook_headings_match_the_table(question: int):
    nb = notebook(question)
    own, foreign = [], []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for heading in markdown_headings(cell.source, 2):
                (own if heading.startswith(f"{question}.") else foreign).append(heading)
    assert own == [parts.part_heading(part.id) for part in parts.parts_of(question)]
    for heading in foreign:  # e.g. question 3 takes the loop of 2.4 again: named, but worth nothing here
        part_id = heading.split()[0]
        parts.part(part_id)
        assert "point" not in heading, f"hw08-q0{question}.ipynb: {heading!r} belongs to another question's points"


@pytest.mark.parametrize("question", QUESTIONS)
def test_notebook_states_the_question_and_homework_totals(question: int):
    text = "\n".join(cell.source for cell in notebook(question).cells if cell.cell_type == "markdown")
    match = TOTAL_RE.search(text)
    assert match, f"hw08-q0{question}.ipynb: its introduction must say 'N points in all, of the homework's T'"
    assert (int(match.group(1)), int(match.group(2))) == (parts.question_points(question), parts.total_points())


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_part_asks_for_its_functions(question: int):
    """The solution cells under each ``## N.M`` heading define exactly the part's functions."""
    found: dict[str, set[str]] = {}
    for part_id, cell in cells_by_part(notebook(question)):
        if cell.cell_type == "code" and MARKER in cell.source:
            assert part_id is not None, "a solution cell before the first part heading"
            found.setdefault(part_id, set()).update(solution_names(cell.source))
    for part_id, names in found.items():
        if part_id.startswith(f"{question}."):
            continue
        assert names <= set(parts.part(part_id).functions), f"{part_id} again defines {names}"
    own = {part_id: names for part_id, names in found.items() if part_id.startswith(f"{question}.")}
    for part in parts.parts_of(question):  # the ones written in utils: there, in a region of that part
        for name in part.functions:
            if name in parts.IN_UTILS:
                assert name in utils_solutions(parts.IN_UTILS[name]).get(part.id, set()), (
                    f"{parts.IN_UTILS[name]} has no solution region of {part.id} in {name}"
                )
                assert name not in own.get(part.id, set()), f"{name} is written in {parts.IN_UTILS[name]}, not here"
                own.setdefault(part.id, set()).add(name)
    assert own == {part.id: set(part.functions) for part in parts.parts_of(question)}


def utils_solutions(relative: str) -> dict[str, set[str]]:
    """Part -> the top-level functions and classes of ``relative`` (a file of utils) holding a region of it."""
    source = (ROOT / relative).read_text(encoding="utf-8")
    lines = source.split("\n")
    found: dict[str, set[str]] = {}
    part_id = None
    tree = ast.parse(source)
    for node in tree.body:
        above = lines[: node.lineno - 1]
        comments = [re.match(r"^# Part (\d+\.\d+)\b", line) for line in above]
        part_id = next((m.group(1) for m in reversed(comments) if m), part_id)
        body = "\n".join(lines[node.lineno - 1 : node.end_lineno])
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and MARKER in body and part_id:
            found.setdefault(part_id, set()).add(node.name)
    return found


def test_utils_files_name_the_files_of_each_part():
    assert parts.utils_files("2.2") == ("utils/models.py",)
    assert parts.utils_files("2.4") == ("utils/training.py",)
    assert parts.utils_files("2.3") == ()


@pytest.mark.parametrize("question", QUESTIONS)
def test_written_answers_sit_in_the_parts_that_ask_for_them(question: int):
    answers: dict[str, int] = {}
    for part_id, cell in cells_by_part(notebook(question)):
        if "answer" in cell.get("metadata", {}).get("tags", []):
            assert cell.cell_type == "markdown", f"{part_id}: only markdown cells hold written answers"
            assert cell.source.strip() and "Your answer here" not in cell.source, (
                f"{part_id}: the solution notebook holds a model answer in each answer cell"
            )
            answers[part_id] = answers.get(part_id, 0) + 1
    expected = {part.id for part in parts.parts_of(question) if part.written_answers}
    assert set(answers) == expected

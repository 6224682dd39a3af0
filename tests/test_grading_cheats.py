"""The cheat corpus (``tests/grading_cheats/``): each attack scores exactly what its honest parts deserve.

Every attacker of the session's class (``graded_class``) hands in one notebook: some parts
answered honestly, and a snippet that tries to get points another way (forged records,
the reference reached from the stack, an always-true ``__eq__``, a tensor subclass, ...).
Each part it answered honestly scores full points, every other part 0, and the rest of the
class (the complete solutions above all) is graded as if it were not there.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from grading.points import parts_table
from grading_class import MARKER, PARTIAL, cheats

STUDENTS = PARTIAL + cheats()


@pytest.mark.parametrize("student", STUDENTS, ids=[s.name for s in STUDENTS])
def test_an_attack_scores_exactly_its_honest_parts(graded_class: SimpleNamespace, student) -> None:
    result = graded_class.students[student.name]
    question = int(student.notebook[len("hw08-q") : -len(".ipynb")])
    parts = {p.id: p for p in parts_table() if p.question == question}
    scored = {pid for pid, r in result.part_results().items() if r.passed}
    assert scored == set(student.scores), {pid: r.message for pid, r in result.part_results().items()}
    assert result.total == sum(parts[p].points for p in student.scores)
    row = graded_class.rows[student.name]
    assert int(row["total"]) == result.total


def test_the_corpus_covers_the_attacks_a_student_would_try() -> None:
    names = {s.name for s in cheats()}
    assert len(names) >= 15
    for what in (
        "forged",
        "stack",
        "eq",
        "subclass",
        "mutates",
        "proxy",
        "exits",
        "hides",
        "fake",
        "cached",
        "patches",
        "nan",
        "pickled",
        "rebound",
        "final",
    ):
        assert any(what in name for name in names), what


def test_no_reply_was_ever_unpickled_by_the_grader(graded_class: SimpleNamespace) -> None:
    assert not MARKER.exists()
    messages = [r.hidden for r in graded_class.students["cheat-pickled-reply"].part_results().values()]
    assert any("refused: the reply is not plain data" in m for m in messages), messages


@pytest.mark.parametrize(
    ("student", "part", "fragment"),
    [
        ("cheat-tensor-subclass", "1.1", "a subclass of torch.Tensor"),
        ("cheat-always-true-eq", "1.1", "share_and_copy"),
        ("cheat-lazy-proxy", "1.1", "should be a tensor"),
        ("cheat-nan-and-dtype", "1.4", "dtype torch.float16"),
        ("cheat-rebound-server", "1.2", "refused: the kernel gave more than one reply"),
        ("cheat-stack-walk", "1.2", "no reference numerical_grad found"),
        ("cheat-exits-when-graded", "1.4", "not graded"),
        ("cheat-final-lookup", "2.6", "could not rebuild the final model from its layers"),
    ],
)
def test_the_feedback_says_what_was_refused(
    graded_class: SimpleNamespace, student: str, part: str, fragment: str
) -> None:
    result = graded_class.students[student].part_results()[part]
    assert fragment in f"{result.hidden} {result.message}", (result.hidden, result.message)


def test_the_rest_of_the_class_is_graded_as_without_the_attackers(graded_class: SimpleNamespace) -> None:
    full = graded_class.students["full"]
    assert full.status == "ok" and all(r.passed for r in full.part_results().values())
    assert graded_class.rows["zipped"]["Q1"] == graded_class.rows["full"]["Q1"]
    assert graded_class.students["handout"].total == 0

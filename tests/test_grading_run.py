"""grading.runner end to end: the session's one synthetic class (``graded_class``), many things asserted on it.

The class (``tests/grading_class.py``) holds the complete solutions, the untouched handout, a
handout zip, a hard-coder, one student per kind of bad submission, partial students and the
attackers of ``tests/grading_cheats/``. Every file in it is read-only and checksummed before
and after. This is the slow test of the grader: question 2's final model is trained once,
for the complete solutions.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from grading import policy, synthetic
from grading.points import accuracy_threshold
from grading.runner import ROOT, Options, grade
from grading_class import NO_UTILS
from grading_run import LIMITS, SECRET, rows

Q1_ONLY = ("hardcoder", "misbehaving", "invalid-json")


@pytest.fixture
def run(graded_class: SimpleNamespace) -> SimpleNamespace:
    return graded_class


def parts(run: SimpleNamespace, name: str) -> dict:
    return run.students[name].part_results()


def test_three_outputs_and_one_row_and_feedback_per_student(run: SimpleNamespace) -> None:
    expected = sorted([*synthetic.kinds(secret=run.base / "secret.txt"), *run.made, NO_UTILS])
    assert sorted(run.rows) == expected
    assert sorted(p.name for p in (run.out / "feedback").iterdir()) == [f"{name}.md" for name in expected]
    assert (run.out / "summary.png").read_bytes()[:4] == b"\x89PNG"


def test_nothing_under_submissions_changed(run: SimpleNamespace) -> None:
    assert run.before == run.after
    assert all(mode in (0o444, 0o555) for mode in run.modes.values())


def test_complete_solutions_get_full_marks(run: SimpleNamespace) -> None:
    full = run.students["full"]
    assert full.status == "ok", run.rows["full"]["reason"]
    failed = {pid: r.message for pid, r in full.part_results().items() if not r.passed}
    assert failed == {}
    maximum = sum(r.part.points for r in full.part_results().values())
    pending = sum(policy.load().manual_points(pid) for pid in full.part_results())  # written answers, read by a person
    assert int(run.rows["full"]["total"]) == maximum - pending
    assert run.rows["full"]["out_of"] == (
        f"of {maximum - pending} auto-graded + {pending} pending" if pending else f"of {maximum}"
    )
    assert float(run.rows["full"]["test_accuracy"]) >= accuracy_threshold(ROOT / "notebooks" / "hw08-q02.ipynb")
    assert run.rows["full"]["reason"] == ""


def test_the_untouched_handout_scores_zero_and_runs_to_the_end(run: SimpleNamespace) -> None:
    handout = run.students["handout"]
    assert handout.total == 0
    assert handout.status == "ok", run.rows["handout"]["reason"]
    assert all(r.message.startswith("not answered yet") for r in handout.part_results().values()), {
        pid: r.message for pid, r in handout.part_results().items()
    }


def test_a_handout_zip_is_accepted_and_the_instructor_environment_stays_out(run: SimpleNamespace) -> None:
    row = run.rows["zipped"]
    assert row["status_q01"] == "ok" and row["Q1"] == run.rows["full"]["Q1"]  # HW08_INSTRUCTOR_ONLY never leaked
    assert row["status_q02"] == "missing" and row["status"] == "missing"
    assert "hw08-q02.ipynb was not submitted" in row["reason"]


def test_edits_to_other_utils_files_are_ignored_and_named(run: SimpleNamespace) -> None:
    """The zip holds an edited utils/checks/q01.py: graded with the handout's, and the feedback says so."""
    assert "your edits to utils/checks/q01.py are not graded" in run.rows["zipped"]["reason"]
    assert run.rows["zipped"]["Q1"] == run.rows["full"]["Q1"]


def test_without_its_utils_files_question_2_is_graded_with_the_stubs(run: SimpleNamespace) -> None:
    """Question 2 complete, but no utils/models.py nor utils/training.py: 2.2 and 2.4 score 0, and what needs them
    (2.3's self-check runs the MLP, 2.6 builds and trains one); 2.1 and 2.5 as usual; the feedback names the files."""
    results, row = parts(run, NO_UTILS), run.rows[NO_UTILS]
    assert results["2.1"].passed and results["2.5"].passed, {p: r.message for p, r in results.items()}
    for part in ("2.2", "2.3", "2.4", "2.6"):
        assert not results[part].passed, part
    assert "utils/models.py" in results["2.2"].message and "not answered yet" in results["2.2"].message
    assert "utils/training.py" in results["2.4"].message
    assert (
        "utils/models.py was not handed in" in row["reason"] and "utils/training.py was not handed in" in row["reason"]
    )


def test_a_hard_coder_passes_the_self_checks_but_not_the_hidden_cases(run: SimpleNamespace) -> None:
    results = parts(run, "hardcoder")
    assert not results["1.1"].passed and results["1.1"].message.startswith(
        "passes the self-check, but not a hidden case"
    )
    assert not results["1.3"].passed
    assert all(results[p].passed for p in ("1.2", "1.4", "1.5"))


def test_snooping_deleting_renaming_and_editing_checks_change_nothing_but_the_score(run: SimpleNamespace) -> None:
    row, results = run.rows["misbehaving"], parts(run, "misbehaving")
    assert row["status_q01"] == "ok"
    assert f"read {ROOT / 'notebooks' / 'hw08-q01.ipynb'}" in row["reason"]
    assert f"read {run.base / 'secret.txt'}" in row["reason"]
    assert "delete <sandbox>/hw08-student/utils" in row["reason"]
    assert results["1.1"].passed and results["1.2"].passed  # their code ran on after the refusals
    assert "sgd_step is not defined" in results["1.3"].message
    assert not results["1.4"].passed  # its self-check cell was emptied: the handout's still ran
    assert "matmul_on" in results["1.5"].message and "not answered" in results["1.5"].message
    for path in run.out.rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".md"):
            assert SECRET not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("student", "status", "reason"),
    [
        ("invalid-json", "unreadable", "is not valid JSON"),
        ("other-homework", "unreadable", "it is another notebook"),
        ("endless-loop", "timeout", "time limit 20 s: your code for 1.2 ran over it and was killed"),
        ("kernel-dies", "crashed", "the kernel died while running your code for 1.3 (exit code 3)"),
        ("floods-output", "crashed", "your code for 1.1 wrote more than 5 MB of output: the kernel was stopped"),
    ],
)
def test_bad_submissions_end_as_a_row_with_status_and_reason(
    run: SimpleNamespace, student: str, status: str, reason: str
) -> None:
    row = run.rows[student]
    assert row["status_q01"] == status and row["status"] == status
    assert reason in row["reason"]
    assert row["status_q02"] == "missing"


def test_the_parts_before_a_bad_cell_are_graded_and_those_after_it_not(run: SimpleNamespace) -> None:
    loop, dies, flood = parts(run, "endless-loop"), parts(run, "kernel-dies"), parts(run, "floods-output")
    assert [loop[p].passed for p in ("1.1", "1.2", "1.3", "1.4", "1.5")] == [True, False, False, False, False]
    assert loop["1.3"].message.startswith("not graded: time limit 20 s")  # killed, not interrupted
    assert [dies[p].passed for p in ("1.1", "1.2", "1.3", "1.4", "1.5")] == [True, True, False, False, False]
    assert dies["1.4"].message.startswith("not graded: the kernel died")
    assert not any(flood[p].passed for p in ("1.1", "1.2", "1.3", "1.4", "1.5"))
    assert flood["1.2"].message.startswith("not graded: your code for 1.1 wrote more than 5 MB")


def test_grading_the_same_folder_twice_gives_the_same_gradebook(run: SimpleNamespace, tmp_path: Path) -> None:
    subset = tmp_path / "subset"
    for name in Q1_ONLY:
        (subset / name).mkdir(parents=True)
        for path in (run.submissions / name).iterdir():
            (subset / name / path.name).write_bytes(path.read_bytes())
    first, second = tmp_path / "first", tmp_path / "second"
    grade(subset, first, Options(limits=LIMITS, progress=False))
    grade(subset, second, Options(limits=LIMITS, progress=False))
    assert (first / "gradebook.csv").read_bytes() == (second / "gradebook.csv").read_bytes()
    assert rows(first) == {name: run.rows[name] for name in Q1_ONLY}  # and the same as within the big run
    text = (first / "gradebook.csv").read_text()
    assert "hw08-grading-" not in text and "ipykernel_" not in text


def test_the_output_folder_is_checked_before_anything_runs(tmp_path: Path) -> None:
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    with pytest.raises(SystemExit, match="must be outside SUBMISSIONS"):
        grade(submissions, submissions / "grades", Options(progress=False))
    with pytest.raises(SystemExit, match="is not a folder"):
        grade(tmp_path / "nowhere", tmp_path / "out", Options(progress=False))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("the instructor's own file")
    with pytest.raises(SystemExit, match="was not written by the grader"):
        grade(submissions, mine, Options(progress=False))
    assert (mine / "notes.txt").read_text() == "the instructor's own file"

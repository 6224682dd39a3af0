"""grading.policy, grading.manual, grading.exports, grading.store, grading.similarity: no kernel runs."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from grading import exports, manual, policy, report, similarity, store
from grading.points import PartSpec
from grading.policy import PolicyError
from grading.results import NotebookResult, PartResult
from grading.runner import StudentResult

PARTS = (
    PartSpec("1.1", "Tensors", 6, ("f",)),
    PartSpec("2.5", "Experiments", 9, ("g",), written_answers=True),
)
BASE = """
[deadline]
due = "2026-12-18T23:59"
timezone = "America/New_York"
grace_minutes = 15
[late]
per_day = 10
cap = 30
max_days = 5
[partial_credit]
default = "all-or-nothing"
[partial_credit.parts]
"1.1" = "proportional"
[extensions]
s2 = "2026-12-21T23:59"
[points]
[manual."2.5"]
points = 4
rubric = "Name what the plot shows."
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "grading.toml"
    path.write_text(text)
    return path


def student(name: str, passed: dict[str, bool], info: dict | None = None, cases=None) -> StudentResult:
    parts = {p.id: PartResult(p, passed[p.id], "" if passed[p.id] else "wrong", cases) for p in PARTS}
    q1 = NotebookResult("hw08-q01.ipynb", "ok", {"1.1": parts["1.1"]})
    q2 = NotebookResult("hw08-q02.ipynb", "ok", {"2.5": parts["2.5"]})
    return StudentResult(
        name,
        {"hw08-q01.ipynb": q1, "hw08-q02.ipynb": q2},
        info=info or {},
        answers={"2.5": [f"<b>{name}</b> says the curves differ"]},
    )


def test_the_repository_policy_loads_and_documents_every_key() -> None:
    loaded = policy.load()
    text = policy.DEFAULT_PATH.read_text()
    for table, keys in policy.SCHEMA.items():
        assert f"[{table}]" in text
        for key in keys:
            assert f"{key} =" in text or f"[{table}.{key}]" in text, key
    assert loaded.due is not None and set(loaded.manual) <= {"2.5", "2.6"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("per_day = 10", "perday = 10"),
            r"\[late\] perday is not a key of \[late\]; the keys are per_day, cap, max_days",
        ),
        (("per_day = 10", 'per_day = "ten"'), r"per_day = 'ten' must be a percent"),
        (('timezone = "America/New_York"', 'timezone = "Mars/Base"'), "is not a time zone"),
        (('"1.1" = "proportional"', '"1.1" = "some"'), 'must be "all-or-nothing" or "proportional"'),
        (('"1.1" = "proportional"', '"9.9" = "proportional"'), "is not a part"),
        (("points = 4", "points = 12"), "must be a whole number from 0 to the part's 9 points"),
        (('s2 = "2026-12-21T23:59"', 's2 = "next monday"'), "is not a date and time"),
        (("[points]", "[pionts]"), r"\[pionts\] is not a table of the policy"),
    ],
)
def test_a_wrong_key_or_type_names_the_key_and_the_fix(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        policy.load(write(tmp_path, BASE.replace(*change)), PARTS)


def test_late_days_grace_cap_extensions_and_max_days(tmp_path: Path) -> None:
    rules = policy.load(write(tmp_path, BASE), PARTS)
    on_time = policy.late(rules, ["s1"], {"submitted_at": "2026-12-19T00:10", "time_source": "x"})  # in the grace
    assert on_time.days == 0 and on_time.percent == 0
    one = policy.late(rules, ["s1"], {"submitted_at": "2026-12-19T00:20", "time_source": "x"})
    assert (one.days, one.percent) == (1, 10)
    four = policy.late(rules, ["s1"], {"submitted_at": "2026-12-22T12:00", "time_source": "x"})
    assert (four.days, four.percent) == (4, 30)  # capped
    assert policy.late(rules, ["s2"], {"submitted_at": "2026-12-21T12:00", "time_source": "x"}).days == 0
    refused = policy.late(rules, ["s1"], {"submitted_at": "2026-12-25T12:00", "time_source": "x"})
    assert refused.refused and "not accepted" in refused.note
    utc = policy.late(rules, ["s1"], {"submitted_at": "2026-12-19T05:10:00Z", "time_source": "x"})
    assert utc.days == 0  # 00:10 in New York
    canvas = policy.late(rules, ["s1"], {"lms_late": "yes"})
    assert canvas.days == 1 and "no time" in canvas.note


def test_partial_credit_points_overrides_and_the_written_share(tmp_path: Path) -> None:
    rules = policy.load(write(tmp_path, BASE.replace("[points]", '[points]\n"1.1" = 8')), PARTS)
    parts = rules.parts(PARTS)
    assert parts[0].points == 8
    assert policy.auto_score(rules, parts[0], False, (3, 4)) == 6.0  # proportional: 3 of 4 checks
    assert policy.auto_score(rules, parts[1], False, (3, 4)) == 0.0  # all-or-nothing
    assert policy.auto_score(rules, parts[1], True, (4, 4)) == 5.0  # 9 less the 4 written points


def test_manual_grading_round_trip(tmp_path: Path) -> None:
    rules = policy.load(write(tmp_path, BASE), PARTS)
    students = [student("ann", {"1.1": True, "2.5": True}), student("bo", {"1.1": True, "2.5": False})]
    out = tmp_path / "out"
    report.write_all(out, students, PARTS, [], policy=rules)
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    assert rows["ann"]["total"] == "11" and rows["ann"]["out_of"] == "of 11 auto-graded + 4 pending"
    assert rows["ann"]["2.5 written"] == "pending"
    sheet = (out / "manual" / "2.5.html").read_text()
    assert "Name what the plot shows." in sheet and "&lt;b&gt;ann&lt;/b&gt; says" in sheet  # escaped
    assert sheet.index('id="ann"') < sheet.index('id="bo"')
    blank = list(csv.DictReader(io.StringIO((out / "manual" / "scores.csv").read_text())))
    assert [(r["student"], r["part"], r["max_points"], r["points"]) for r in blank] == [
        ("ann", "2.5", "4", ""),
        ("bo", "2.5", "4", ""),
    ]
    filled = tmp_path / "scores.csv"
    filled.write_text("student,name,part,max_points,points,comment\nann,,2.5,4,3.5,clear\nbo,,2.5,4,,\n")
    report.write_all(out, students, PARTS, [], policy=rules, manual_scores=filled)
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    assert rows["ann"]["total"] == "14.5" and rows["ann"]["out_of"] == "of 15"
    assert rows["bo"]["2.5 written"] == "pending" and rows["bo"]["total"] == "6"
    assert "Written answers: 3.5 / 4. clear" in (out / "feedback" / "ann.md").read_text()
    assert (out / "manual" / "scores.csv").read_text().count("\nann,") == 1  # the sheet CSV is never overwritten


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("zed,,2.5,4,1,", "no student 'zed'"),
        ("ann,,1.1,4,1,", "not graded by hand"),
        ("ann,,2.5,4,five,", "is not a number"),
        ("ann,,2.5,4,5,", "worth 0 to 4"),
    ],
)
def test_bad_manual_scores_are_refused_with_the_line(tmp_path: Path, row: str, message: str) -> None:
    rules = policy.load(write(tmp_path, BASE), PARTS)
    path = tmp_path / "scores.csv"
    path.write_text(f"student,name,part,max_points,points,comment\n{row}\n")
    with pytest.raises(SystemExit, match=f"line 2.*{message}|{message}"):
        manual.read_scores(path, rules, PARTS, ["ann"])


def test_exports_follow_the_lms_import_formats(tmp_path: Path) -> None:
    rules = policy.load(
        write(tmp_path, BASE.replace('[manual."2.5"]\npoints = 4', '[manual."2.5"]\npoints = 0')), PARTS
    )
    canvas_info = {
        "lms": "canvas",
        "lms_id": "12345",
        "lms_name": "doejane",
        "canvas_submission": "678",
        "name": "Jane Doe",
    }
    moodle_info = {"lms": "moodle", "lms_id": "4242", "lms_name": "Zoë Ñúñez", "name": "Zoë Ñúñez", "student_id": "s9"}
    students = [
        student("doejane (12345)", {"1.1": True, "2.5": True}, canvas_info),
        student("Zoë Ñúñez (4242)", {"1.1": False, "2.5": True}, moodle_info),
        student("nobody", {"1.1": False, "2.5": False}),
    ]
    out = tmp_path / "out"
    report.write_all(out, students, PARTS, [], policy=rules)
    canvas = list(csv.reader(io.StringIO((out / "exports" / "canvas-gradebook.csv").read_text())))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW 8"]
    assert canvas[1] == ["    Points Possible", "", "", "", "", "15"]
    assert canvas[2] == ["Jane Doe", "12345", "", "", "", "15"]
    assert canvas[3] == ["Zoë Ñúñez", "", "s9", "", "", "9"]
    moodle = list(csv.reader(io.StringIO((out / "exports" / "moodle-grades.csv").read_text())))
    assert moodle[0] == ["ID number", "Email address", "Full name", "HW 8", "Feedback"] and moodle[1][:4] == [
        "s9", "", "Zoë Ñúñez", "9"
    ]  # fmt: skip
    sheet = list(csv.reader(io.StringIO((out / "exports" / "moodle-worksheet.csv").read_text())))
    assert sheet[0][:2] == ["Identifier", "Full name"] and sheet[1][0] == "Participant 4242"
    with zipfile.ZipFile(out / "exports" / "feedback-canvas.zip") as archive:
        assert archive.namelist() == ["doejane_12345_678_feedback.html"]
    with zipfile.ZipFile(out / "exports" / "feedback-moodle.zip") as archive:
        assert archive.namelist() == ["Zoë Ñúñez_4242_assignsubmission_file_/feedback.html"]
    assert "nobody" in (out / "exports" / "README.txt").read_text()
    first = {p: p.read_bytes() for p in (out / "exports").iterdir()}
    report.write_all(out, students, PARTS, [], policy=rules)
    assert {p: p.read_bytes() for p in (out / "exports").iterdir()} == first  # the same bytes again


def test_results_round_trip_and_a_regrade_merge_leaves_the_others_byte_identical(tmp_path: Path) -> None:
    rules = policy.load(write(tmp_path, BASE), PARTS)
    students = [student(f"s{i}", {"1.1": i % 2 == 0, "2.5": True}, cases=(1, 3)) for i in range(4)]
    students[0].notebooks["hw08-q01.ipynb"].channel = {"requests": 7, "seconds": 1.25, "bytes": 4096}
    store.save(tmp_path / "results.json", students)
    loaded = store.load(tmp_path / "results.json", PARTS)
    assert store.dumps(loaded) == store.dumps(students)
    assert loaded[0].notebooks["hw08-q01.ipynb"].channel == {"requests": 7, "seconds": 1.25, "bytes": 4096}
    before = report.gradebook_rows(loaded, PARTS, rules)
    regraded = student("s1", {"1.1": True, "2.5": True})
    merged = [s for s in loaded if s.name != "s1"] + [regraded]
    store.save(tmp_path / "results.json", merged)
    after = report.gradebook_rows(
        sorted(store.load(tmp_path / "results.json", PARTS), key=lambda s: s.name), PARTS, rules
    )
    assert [r for r in after if r[0] != "s1"] == [r for r in before if r[0] != "s1"]
    assert next(r for r in after if r[0] == "s1") != next(r for r in before if r[0] == "s1")


def test_similarity_flags_planted_copies_and_ignores_the_starter_code() -> None:
    starter = (
        "import torch\n\n\ndef given_helper(x):\n    total = 0\n    for value in x:\n        total = total + value * 2\n    return total / len(x)\n"
        * 3
    )
    honest = [
        "def solve(a, b):\n" + "".join(f"    v{k} = a * {k} + b - {k * 7}\n" for k in range(12)) + "    return v11\n",
        "def solve(a, b):\n    out = []\n    while a < b:\n        out.append(a ** 2 % 17)\n        a += 3\n"
        "    return sorted(set(out), reverse=True)[:5]\n" * 2,
        (
            "class Model:\n    def __init__(self, n):\n        self.n = n\n        self.cache = {i: i * i for i in range(n)}\n\n"
            "    def forward(self, z):\n        return [self.cache.get(q, -1) for q in z if q]\n"
        ),
    ]
    copied = honest[0].replace("v", "w").replace("a *", "a  *")  # renamed variables
    students = [
        StudentResult(name, {}, code={"hw08-q01.ipynb": starter + code})
        for name, code in [("orig", honest[0]), ("copy", copied), ("b", honest[1]), ("c", honest[2])]
    ]
    found, html = similarity.pairs(students, {"hw08-q01.ipynb": starter})
    assert found and (found[0][1], found[0][2]) == ("copy", "orig") and found[0][3] > 0.8
    assert all({p[1], p[2]} == {"copy", "orig"} for p in found)  # the shared starter code flags no one else
    assert "hw08-similarity-" not in html
    only_starter = [StudentResult(n, {}, code={"hw08-q01.ipynb": starter}) for n in ("x", "y")]
    assert similarity.pairs(only_starter, {"hw08-q01.ipynb": starter})[0] == []


def test_canvas_export_puts_the_assignment_id_in_its_column() -> None:
    text, left = exports.canvas_csv(
        [student("a", {"1.1": True, "2.5": True}, {"student_id": "s1"})], {"a": 3}, 15, "HW 8", "777"
    )
    assert text.splitlines()[0].endswith(",HW 8 (777)") and left == []


def test_shards_merge_into_one_results_file_and_missing_shards_are_named(tmp_path: Path) -> None:
    from grading.distributed import merge_shards

    students = [student(f"s{i}", {"1.1": i % 2 == 0, "2.5": True}) for i in range(5)]
    (tmp_path / "shards").mkdir()
    store.save(tmp_path / "shards" / "1-of-3.json", students[0::3])
    store.save(tmp_path / "shards" / "2-of-3.json", students[1::3])
    with pytest.raises(SystemExit, match="shards 3 of 3 are missing"):
        merge_shards(tmp_path)
    store.save(tmp_path / "shards" / "3-of-3.json", students[2::3])
    merge_shards(tmp_path)
    assert (tmp_path / "results.json").read_text() == store.dumps(students)


def test_make_grade_with_manual_merges_without_running_a_notebook(tmp_path: Path, monkeypatch) -> None:
    from grading import cli, runner

    real = [p for p in runner.parts_table() if p.id in ("1.1", "2.5")]
    out, submissions = tmp_path / "out", tmp_path / "submissions"
    submissions.mkdir()
    out.mkdir()
    (out / report.STAMP).write_text(report.STAMP_TEXT)
    one = StudentResult(
        "ann",
        {"hw08-q02.ipynb": NotebookResult("hw08-q02.ipynb", "ok", {"2.5": PartResult(real[1], True, "")})},
        answers={"2.5": ["my answer"]},
    )
    store.save(out / store.RESULTS, [one])
    scores = tmp_path / "scores.csv"
    scores.write_text("student,part,points\nann,2.5,3\n")
    monkeypatch.setattr(runner, "grade_students", lambda *a, **k: pytest.fail("a notebook was graded"))
    assert cli.main([str(submissions), "--out", str(out), "--manual", str(scores), "--quiet", "--no-similarity"]) == 0
    row = next(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))
    assert row["2.5 written"] == "3" and row["2.5"] == str(9 - policy.load().manual_points("2.5"))

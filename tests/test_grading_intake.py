"""grading.intake: LMS bulk downloads, renames, resubmissions, content identification, the roster; no kernel runs."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import nbformat
import pytest

from grading import intake, synthetic
from grading.intake import RosterError, read_roster, take_in


@pytest.fixture(scope="module")
def books() -> dict:
    return synthetic.notebooks()


@pytest.fixture(scope="module")
def sigs() -> dict:
    return intake.signatures()


def nb_bytes(nb: nbformat.NotebookNode, marker: str = "") -> bytes:
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)
    if marker:
        nb.cells.append(nbformat.v4.new_code_cell(f"MARKER = {marker!r}"))
    return nbformat.writes(nb).encode()


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, (2026, 12, 19, 10, 30, 0)), data)
    return buffer.getvalue()


def marker(student, name: str) -> str:
    nb = nbformat.reads(student.found[name].data.decode(), as_version=4)
    return next((c.source for c in nb.cells if c.source.startswith("MARKER")), "")


def by_name(result) -> dict:
    return {s.name: s for s in result.students}


def test_a_mixed_lms_folder(tmp_path: Path, books: dict, sigs: dict) -> None:
    q1, q2 = books["hw08-q01.ipynb"][1], books["hw08-q02.ipynb"][1]
    other = synthetic._other_homework()
    files = {
        # Canvas flat, with a resubmission: -1 wins over the original
        "doejane_12345_67890_hw08-q01.ipynb": nb_bytes(q1, "first"),
        "doejane_12345_67890_hw08-q01-1.ipynb": nb_bytes(q1, "resubmitted"),
        # Canvas late, a browser rename, a wrong name for its content
        "smith_bob_LATE_222_333_hw08-q01 (1).ipynb": nb_bytes(q1, "bob"),
        "smith_bob_LATE_222_333_hw08-q03.ipynb": nb_bytes(q2, "bob q2 under the q3 name"),
        # Moodle folder and flat
        "Zoë Ñúñez_4242_assignsubmission_file_/Copy of hw08-q01.ipynb": nb_bytes(q1, "zoe"),
        "Zoë Ñúñez_4242_assignsubmission_file_/.ipynb_checkpoints/hw08-q01-checkpoint.ipynb": nb_bytes(q1, "ckpt"),
        "Ann Lee_77_assignsubmission_file_hw08-q02.ipynb": nb_bytes(q2, "ann"),
        # the same Moodle student's folder again, its name decomposed (as zips made on macOS spell it)
        unicodedata.normalize("NFD", "Zoë Ñúñez_4242_assignsubmission_file_") + "/notes.md": b"# my notes",
        # Blackboard: two attempts and a receipt
        "HW 8_jdoe_attempt_2026-12-18-20-00-00_hw08-q01.ipynb": nb_bytes(q1, "attempt 1"),
        "HW 8_jdoe_attempt_2026-12-19-08-15-00_hw08-q01.ipynb": nb_bytes(q1, "attempt 2"),
        "HW 8_jdoe_attempt_2026-12-19-08-15-00.txt": b"Name: John Doe (jdoe)\nAssignment: HW 8\n",
        # a plain folder with a zip inside a zip, an empty file, a .py, another homework
        "carol/outer.zip": zip_of(
            {"inner.zip": zip_of({"hw08-student/notebooks/hw08-q01.ipynb": nb_bytes(q1, "carol")})}
        ),
        "carol/empty.ipynb": b"",
        "carol/notes.pdf": b"%PDF-1.4",
        "carol/hw08-q03.ipynb": nb_bytes(other),
        "__MACOSX/carol/._hw08-q01.ipynb": b"\x00\x05\x16\x07",
        "loose-hw08-q01.ipynb": nb_bytes(q1),
    }
    for name, data in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    # a .py in percent format holding question 2
    py = "# %%\n" + "\n\n# %%\n".join(c.source for c in q2.cells if c.cell_type == "code")
    (tmp_path / "dave").mkdir()
    (tmp_path / "dave" / "hw08-q02.py").write_text(py, encoding="utf-8")

    result = take_in(tmp_path, sigs)
    students = by_name(result)
    assert sorted(students) == sorted(
        ["doejane (12345)", "smith_bob (222)", "Zoë Ñúñez (4242)", "Ann Lee (77)", "jdoe", "carol", "dave"]
    )
    assert marker(students["doejane (12345)"], "hw08-q01.ipynb") == "MARKER = 'resubmitted'"
    bob = students["smith_bob (222)"]
    assert set(bob.found) == {"hw08-q01.ipynb", "hw08-q02.ipynb"}  # the q3-named file holds question 2
    assert bob.info["lms_late"] == "yes" and "LATE" in bob.info["time_source"]
    zoe = students["Zoë Ñúñez (4242)"]
    assert marker(zoe, "hw08-q01.ipynb") == "MARKER = 'zoe'" and zoe.info["lms"] == "moodle"
    assert any(r.verdict == "skipped" and "checkpoint" in r.origin for r in zoe.records)
    assert set(students["Ann Lee (77)"].found) == {"hw08-q02.ipynb"}
    jdoe = students["jdoe"]
    assert marker(jdoe, "hw08-q01.ipynb") == "MARKER = 'attempt 2'"
    assert jdoe.info["submitted_at"] == "2026-12-19T08:15:00" and jdoe.info["name"] == "John Doe"
    carol = students["carol"]
    assert marker(carol, "hw08-q01.ipynb") == "MARKER = 'carol'"
    assert carol.info["submitted_at"] == "2026-12-19T10:30:00"  # the zip's own time stamp
    verdicts = {r.origin.split("/")[-1]: (r.verdict, r.why) for r in carol.records}
    assert verdicts["empty.ipynb"] == ("skipped", "an empty file")
    assert "not a notebook" in verdicts["notes.pdf"][1]
    # another homework under a question's name: kept for that question, so the student is told why
    assert "hw08-q03.ipynb" in carol.found
    assert set(students["dave"].found) == {"hw08-q02.ipynb"}
    assert "a .py file" in " ".join(students["dave"].notes)
    assert result.ignored == ["loose-hw08-q01.ipynb"]
    report = intake.report_markdown(result, "downloads")
    for needle in ("doejane_12345_67890_hw08-q01.ipynb", "an older submission", "empty file", "loose-hw08-q01"):
        assert needle in report


def test_two_different_notebooks_for_one_question_are_ambiguous(tmp_path: Path, books: dict, sigs: dict) -> None:
    handout, full = books["hw08-q01.ipynb"]
    (tmp_path / "eve").mkdir()
    (tmp_path / "eve" / "hw08-q01.ipynb").write_bytes(nb_bytes(handout, "unanswered"))
    (tmp_path / "eve" / "my final q1.ipynb").write_bytes(nb_bytes(full, "answered"))
    (tmp_path / "eve" / "hw08-q01 copy.ipynb").write_bytes(nb_bytes(handout, "unanswered"))
    (eve,) = take_in(tmp_path, sigs).students
    assert marker(eve, "hw08-q01.ipynb") == "MARKER = 'answered'"  # more solution cells answered
    kinds = sorted(r.verdict for r in eve.records)
    assert kinds.count("used") == 1 and "ambiguous" in kinds
    assert any("two files answer hw08-q01.ipynb" in n for n in eve.notes)


def test_a_whole_download_as_one_zip_and_folders_stay_per_student(tmp_path: Path, books: dict, sigs: dict) -> None:
    q1 = books["hw08-q01.ipynb"][1]
    download = zip_of(
        {
            "doejane_12345_67890_hw08-q01.ipynb": nb_bytes(q1, "jane"),
            "roe_rick_55_66_hw08-student.zip": zip_of({"hw08-student/notebooks/hw08-q01.ipynb": nb_bytes(q1, "rick")}),
        }
    )
    (tmp_path / "submissions.zip").write_bytes(download)
    students = by_name(take_in(tmp_path, sigs))
    assert sorted(students) == ["doejane (12345)", "roe_rick (55)"]
    assert marker(students["roe_rick (55)"], "hw08-q01.ipynb") == "MARKER = 'rick'"
    direct = by_name(take_in(tmp_path / "submissions.zip", sigs))  # SUBMISSIONS may be the zip itself
    assert sorted(direct) == sorted(students)


def test_the_roster_maps_files_to_students_and_lists_who_handed_in_nothing(
    tmp_path: Path, books: dict, sigs: dict
) -> None:
    q1 = books["hw08-q01.ipynb"][1]
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "doejane_12345_67890_hw08-q01.ipynb").write_bytes(nb_bytes(q1))
    (downloads / "s0002").mkdir()
    (downloads / "s0002" / "hw08-q01.ipynb").write_bytes(nb_bytes(q1))
    (downloads / "stranger_999_1_hw08-q01.ipynb").write_bytes(nb_bytes(q1))
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "Canvas ID,SIS User ID,Name,Section,submitted_at\n"
        "12345,s0001,Jane Doe,A,2026-12-19T10:00\n"
        ",s0002,Bo Li,B,\n"
        "31,s0003,Cy Diaz,A,\n",
        encoding="utf-8",
    )
    result = take_in(downloads, sigs, read_roster(roster))
    students = by_name(result)
    assert sorted(students) == ["s0001", "s0002", "s0003", "stranger (999)"]
    assert students["s0001"].info["name"] == "Jane Doe" and students["s0001"].info["section"] == "A"
    assert students["s0001"].info["time_source"] == "the roster's submitted_at column"
    assert students["s0002"].found and students["s0003"].found == {}
    assert "nothing handed in" in students["s0003"].notes
    assert result.roster_unmatched == ["stranger (999)"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,section\nJane,A\n", "no student_id or lms_id column"),
        ("student_id,name\ns1,Jane\ns1,Jim\n", "also on line 2"),
        ("student_id,name\n,Jane\n", "line 2: no student_id"),
    ],
)
def test_a_bad_roster_says_which_line_and_the_fix(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(RosterError, match=message):
        read_roster(path)


@pytest.mark.parametrize(
    ("name", "system", "ident", "file"),
    [
        ("doejane_12345_67890_hw08-q01.ipynb", "canvas", "12345", "hw08-q01.ipynb"),
        ("doe_jane_LATE_12345_67890_hw08-q01-2.ipynb", "canvas", "12345", "hw08-q01-2.ipynb"),
        ("Jane Doe_4242_assignsubmission_file_hw 8 q1.ipynb", "moodle", "4242", "hw 8 q1.ipynb"),
        ("HW 8_jdoe_attempt_2026-12-18-23-45-00_hw08-q01.ipynb", "blackboard", "jdoe", "hw08-q01.ipynb"),
    ],
)
def test_lms_names(name: str, system: str, ident: str, file: str) -> None:
    parsed = intake.parse_lms_name(name)
    assert parsed is not None and (parsed.system, parsed.id, parsed.file) == (system, ident, file)
    assert intake.parse_lms_name("hw08-q01.ipynb") is None


@pytest.mark.parametrize(
    ("name", "base", "number"),
    [
        ("hw08-q01 (1).ipynb", "hw08-q01.ipynb", 1),
        ("hw08-q01-2.ipynb", "hw08-q01.ipynb", 2),
        ("Copy of hw08-q01.ipynb", "hw08-q01.ipynb", 0),
        ("hw08-q01 - Copy.ipynb", "hw08-q01.ipynb", 0),
    ],
)
def test_renames(name: str, base: str, number: int) -> None:
    assert intake.base_name(name) == (base, number)
    assert intake.question_from_name("HW08_Q1.ipynb", {"hw08-q01.ipynb"}) == "hw08-q01.ipynb"


# ---------------------------------------------------------------------------------------------- utils files


def test_the_students_utils_files_are_taken_other_utils_edits_ignored_and_reported(
    tmp_path: Path, books: dict, sigs: dict
) -> None:
    """utils/models.py and utils/training.py are the student's (from the handout zip, a utils folder or loose beside
    the notebooks); an edited copy of another utils file is ignored and named; an identical copy is just skipped."""
    handout = intake.handout_utils()
    mine = synthetic.utils_files()
    q2 = nb_bytes(books["hw08-q02.ipynb"][1])
    submissions = tmp_path / "submissions"
    zipped = synthetic.handout_zip(
        {"hw08-q02.ipynb": books["hw08-q02.ipynb"][1]},
        {
            "utils/models.py": mine["utils/models.py"],
            "utils/training.py": mine["utils/training.py"],
            "utils/data.py": handout["utils/data.py"] + b"\n# my edit\n",
            "utils/seed.py": handout["utils/seed.py"],
        },
    )
    synthetic.write(submissions / "alice", {"hw08-student.zip": zipped})
    synthetic.write(
        submissions / "bob",
        {"hw08-q02.ipynb": q2, "models.py": mine["utils/models.py"], "utils/training.py": b"def train_one_epoch(:\n"},
    )
    synthetic.write(submissions / "carol", {"hw08-q03.ipynb": nb_bytes(books["hw08-q03.ipynb"][1])})
    synthetic.write(submissions / "dave", {"hw08-q01.ipynb": nb_bytes(books["hw08-q01.ipynb"][1])})
    result = by_name(take_in(submissions, sigs, handout=handout))

    alice = result["alice"]
    assert {name: found.data for name, found in alice.modules.items()} == mine
    assert set(alice.found) == {"hw08-q02.ipynb"}
    verdicts = {r.origin.split(":")[-1]: (r.verdict, r.why) for r in alice.records}
    assert verdicts["hw08-student/utils/models.py"] == ("used", "your utils/models.py")
    assert verdicts["hw08-student/utils/data.py"][0] == "ignored"
    assert "your edits to utils/data.py are not graded" in verdicts["hw08-student/utils/data.py"][1]
    assert verdicts["hw08-student/utils/seed.py"][0] == "skipped"  # the handout's own copy
    assert any("utils/data.py" in note and "not graded" in note for note in alice.notes)
    assert not any("was not handed in" in note for note in alice.notes)

    bob = result["bob"]  # models.py loose beside the notebook; a training.py that does not compile is not used
    assert set(bob.modules) == {"utils/models.py"} and bob.modules["utils/models.py"].origin == "bob/models.py"
    assert any("bob/utils/training.py is not used: it does not compile" in note for note in bob.notes)
    assert any(
        note.startswith("utils/training.py was not handed in") and "part 2.4 scores 0" in note for note in bob.notes
    )

    carol = result["carol"]  # question 3 alone: it trains with utils/training.py
    assert carol.modules == {}
    assert any(note.startswith("utils/training.py was not handed in") for note in carol.notes)
    assert any(note.startswith("utils/models.py was not handed in") and "2.2" in note for note in carol.notes)
    assert not any("was not handed in" in note for note in result["dave"].notes)  # question 1 needs neither


def test_a_graded_sandbox_holds_the_students_utils_files_and_nothing_else_of_theirs(tmp_path: Path) -> None:
    from grading import sandbox

    handout = tmp_path / "handout"
    (handout / "utils").mkdir(parents=True)
    (handout / "utils" / "models.py").write_text("stub = True\n")
    (handout / "utils" / "data.py").write_text("data = True\n")
    box = sandbox.create(tmp_path / "box", handout, None, {"utils/models.py": b"mine = True\n"})
    assert (box.handout / "utils" / "models.py").read_text() == "mine = True\n"
    assert (box.handout / "utils" / "data.py").read_text() == "data = True\n"
    assert (handout / "utils" / "models.py").read_text() == "stub = True\n"  # the handout itself is untouched
    with pytest.raises(ValueError, match="utils/data.py is not a file a submission may replace"):
        sandbox.create(tmp_path / "box2", handout, None, {"utils/data.py": b"mine = True\n"})

"""grading.submissions: finding each student's notebooks in folders and zips, and reading them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import nbformat
import pytest

from grading import submissions
from grading.submissions import UnreadableNotebook, find_students, read_found, read_notebook

WANTED = {"hw08-q01.ipynb", "hw08-q02.ipynb"}


def notebook_bytes(marker: str) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"x = {marker!r}")]
    return nbformat.writes(nb).encode()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_folders_zips_and_nested_notebooks(tmp_path: Path) -> None:
    (tmp_path / "alice" / "work").mkdir(parents=True)
    (tmp_path / "alice" / "work" / "hw08-q01.ipynb").write_bytes(notebook_bytes("alice nested"))
    (tmp_path / "alice" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "alice" / ".ipynb_checkpoints" / "hw08-q02.ipynb").write_bytes(notebook_bytes("checkpoint"))
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "hw08-student.zip").write_bytes(
        zip_bytes(
            {
                "hw08-student/notebooks/hw08-q01.ipynb": notebook_bytes("bob zip"),
                "__MACOSX/hw08-student/notebooks/hw08-q02.ipynb": b"resource fork",
            }
        )
    )
    (tmp_path / "carol.zip").write_bytes(zip_bytes({"notebooks/hw08-q02.ipynb": notebook_bytes("carol")}))
    (tmp_path / "README.txt").write_text("not a student")
    (tmp_path / ".DS_Store").write_text("hidden")

    students, ignored = find_students(tmp_path, WANTED)
    assert [s.name for s in students] == ["alice", "bob", "carol"]
    assert ignored == ["README.txt"]
    alice, bob, carol = students
    assert set(alice.found) == {"hw08-q01.ipynb"}  # the checkpoint copy is not a submission
    assert alice.found["hw08-q01.ipynb"].origin == "alice/work/hw08-q01.ipynb"
    assert set(bob.found) == {"hw08-q01.ipynb"}
    assert read_found(bob.found["hw08-q01.ipynb"]).cells[0].source == "x = 'bob zip'"
    assert read_found(carol.found["hw08-q02.ipynb"]).cells[0].source == "x = 'carol'"


def test_a_loose_file_wins_over_a_zip_and_the_choice_is_noted(tmp_path: Path) -> None:
    (tmp_path / "dan" / "old").mkdir(parents=True)
    (tmp_path / "dan" / "hw08-q01.ipynb").write_bytes(notebook_bytes("top"))
    (tmp_path / "dan" / "old" / "hw08-q01.ipynb").write_bytes(notebook_bytes("deeper"))
    (tmp_path / "dan" / "hw08-student.zip").write_bytes(zip_bytes({"notebooks/hw08-q01.ipynb": notebook_bytes("zip")}))
    (student,), _ = find_students(tmp_path, WANTED)
    assert read_found(student.found["hw08-q01.ipynb"]).cells[0].source == "x = 'top'"
    assert student.notes == [
        (
            "3 copies of hw08-q01.ipynb submitted; graded dan/hw08-q01.ipynb, ignored dan/old/hw08-q01.ipynb, "
            "dan/hw08-student.zip:notebooks/hw08-q01.ipynb"
        )
    ]


def test_broken_and_oversized_zips_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "erin").mkdir()
    (tmp_path / "erin" / "handin.zip").write_bytes(b"PK not really a zip")
    (tmp_path / "frank.zip").write_bytes(zip_bytes({"hw08-q01.ipynb": b"x" * 2000}))
    monkeypatch.setattr(submissions, "MAX_NOTEBOOK_BYTES", 1000)
    erin, frank = find_students(tmp_path, WANTED)[0]
    assert erin.found == {} and erin.notes[0].startswith("erin/handin.zip is not a readable zip")
    with pytest.raises(UnreadableNotebook, match="over the 50 MB limit"):
        read_found(frank.found["hw08-q01.ipynb"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
        (b'{"cells": [', "is not valid JSON"),
        (b'{"hello": "world"}', "JSON but not a Jupyter notebook"),
        (
            b'{"cells": [{"cell_type": "weird", "id": "a", "metadata": {}, "source": ""}], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
            "cell 0",
        ),
        (
            b'{"cells": [{"cell_type": "code"}], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
            "not a readable notebook",
        ),
    ],
)
def test_unreadable_notebooks_say_why(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableNotebook, match=message):
        read_notebook(data, "x/hw08-q01.ipynb")


def test_older_notebooks_are_converted_and_list_sources_joined() -> None:
    nb = read_notebook(notebook_bytes("fine"), "x")
    assert nb.nbformat == 4 and nb.cells[0].source == "x = 'fine'"

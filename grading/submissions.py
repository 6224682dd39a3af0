"""Finding each student's notebooks in the submissions folder, reading only.

Layout: one entry per student in ``SUBMISSIONS``:

* a folder ``<student>/`` holding ``hw08-q0N.ipynb`` files anywhere inside it (hidden
  folders such as ``.ipynb_checkpoints`` and ``__MACOSX`` are skipped) and/or handout zips
  (``*.zip``, e.g. ``hw08-student.zip``, whose ``notebooks/hw08-q0N.ipynb`` are used);
* or a zip ``<student>.zip`` directly in ``SUBMISSIONS``.

When a notebook is found more than once, a loose file wins over a zip member, then the
shallowest path, then the first in alphabetical order; the choice is reported. Zips are
read in memory (nothing is extracted); no file under ``SUBMISSIONS`` is ever written.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

#: A submitted notebook larger than this is refused (outputs full of images, or not a notebook).
MAX_NOTEBOOK_BYTES = 50 * 2**20
SKIPPED_FOLDERS = {"__MACOSX", "__pycache__"}


class UnreadableNotebook(ValueError):
    """The file is not a readable Jupyter notebook; the message says why."""


@dataclass(frozen=True)
class Found:
    """A submitted notebook's bytes, and where they came from (for messages)."""

    origin: str  # e.g. "alice/hw08-q01.ipynb" or "alice/hw08-student.zip:hw08-student/notebooks/hw08-q01.ipynb"
    data: bytes | None = None
    problem: str | None = None  # why the bytes could not be read (a zip too large or broken)


@dataclass
class Student:
    """One student's submission: each expected notebook found (or not), and notes on the choice."""

    name: str
    found: dict[str, Found] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: What intake learned (``grading.intake``): name, student_id, section, lms, lms_id, submitted_at, ...
    info: dict[str, str] = field(default_factory=dict)
    records: list = field(default_factory=list)  # intake.FileRecord for each file seen
    #: The student's own files of ``utils`` (``"utils/models.py"`` -> its bytes), put into the graded handout copy.
    modules: dict[str, Found] = field(default_factory=dict)


def _hidden(path: PurePosixPath | Path) -> bool:
    return any(part.startswith(".") or part in SKIPPED_FOLDERS for part in path.parts)


def _zip_members(archive_path: Path, label: str, wanted: set[str]) -> tuple[list[tuple[str, Found]], list[str]]:
    """``(notebook name, Found)`` for each wanted notebook inside the zip, and problems with the zip."""
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError) as error:
        return [], [f"{label} is not a readable zip ({error})"]
    members = []
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            inner = PurePosixPath(info.filename)
            if info.is_dir() or inner.name not in wanted or _hidden(inner.parent):
                continue
            origin = f"{label}:{info.filename}"
            if info.file_size > MAX_NOTEBOOK_BYTES:
                found = Found(origin, problem=f"{info.file_size / 2**20:.0f} MB uncompressed, over the 50 MB limit")
            else:
                try:
                    with archive.open(info) as handle:
                        data = handle.read(MAX_NOTEBOOK_BYTES + 1)
                    found = (
                        Found(origin, data)
                        if len(data) <= MAX_NOTEBOOK_BYTES
                        else Found(origin, problem="over the 50 MB limit")
                    )
                except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as error:
                    found = Found(origin, problem=f"cannot be extracted ({error})")
            members.append((inner.name, found))
    return members, []


def _rank(origin: str) -> tuple[int, int, str]:
    in_zip = ":" in origin
    return (int(in_zip), origin.count("/"), origin)


def _collect(student: Student, candidates: list[tuple[str, Found]]) -> None:
    by_name: dict[str, list[Found]] = {}
    for name, found in candidates:
        by_name.setdefault(name, []).append(found)
    for name in sorted(by_name):
        ranked = sorted(by_name[name], key=lambda f: _rank(f.origin))
        student.found[name] = ranked[0]
        if len(ranked) > 1:
            student.notes.append(
                f"{len(ranked)} copies of {name} submitted; graded {ranked[0].origin}, "
                f"ignored {', '.join(f.origin for f in ranked[1:])}"
            )


def _read_file(path: Path, origin: str) -> Found:
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return Found(origin, problem=f"{size / 2**20:.0f} MB, over the 50 MB limit")
        return Found(origin, path.read_bytes())
    except OSError as error:
        return Found(origin, problem=f"cannot be read ({error.strerror or error})")


def find_students(submissions: Path, wanted: set[str]) -> tuple[list[Student], list[str]]:
    """Every student in ``submissions`` with the wanted notebooks found; and the entries ignored."""
    students: dict[str, Student] = {}
    ignored: list[str] = []
    for entry in sorted(submissions.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name in SKIPPED_FOLDERS:
            continue
        if entry.is_dir():
            name = entry.name
            candidates: list[tuple[str, Found]] = []
            problems: list[str] = []
            for path in sorted(entry.rglob("*")):
                relative = path.relative_to(submissions)
                if _hidden(path.relative_to(entry)) or not path.is_file():
                    continue
                if path.name in wanted:
                    candidates.append((path.name, _read_file(path, relative.as_posix())))
                elif path.suffix.lower() == ".zip":
                    members, errors = _zip_members(path, relative.as_posix(), wanted)
                    candidates += members
                    problems += errors
        elif entry.is_file() and entry.suffix.lower() == ".zip":
            name = entry.stem
            candidates, problems = _zip_members(entry, entry.name, wanted)
        else:
            ignored.append(entry.name)
            continue
        student = students.setdefault(name, Student(name))
        _collect(student, [*((n, f) for n, f in student.found.items()), *candidates])
        student.notes += problems
    return [students[name] for name in sorted(students)], ignored


def read_notebook(data: bytes, origin: str) -> nbformat.NotebookNode:
    """Parse a submitted notebook (version 4, converted from older versions) or raise :class:`UnreadableNotebook`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableNotebook(f"{origin} is not UTF-8 text (byte {error.start}): not a notebook file") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableNotebook(
            f"{origin} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "it may be truncated or edited outside Jupyter"
        ) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list) or "nbformat" not in raw:
        raise UnreadableNotebook(f"{origin} is JSON but not a Jupyter notebook (no 'cells' list or 'nbformat')")
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as error:  # noqa: BLE001 (nbformat raises many types for malformed notebooks)
        raise UnreadableNotebook(f"{origin} is not a readable notebook ({type(error).__name__}: {error})") from None
    for index, cell in enumerate(notebook.cells):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise UnreadableNotebook(f"{origin}: cell {index} is not a code, markdown or raw cell")
        if not isinstance(cell.get("source", ""), str):
            raise UnreadableNotebook(f"{origin}: cell {index} has no text source")
    return notebook


def read_found(found: Found) -> nbformat.NotebookNode:
    """The notebook of ``found``, or :class:`UnreadableNotebook`."""
    if found.data is None:
        raise UnreadableNotebook(f"{found.origin}: {found.problem}")
    return read_notebook(found.data, found.origin)

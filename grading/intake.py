"""Intake: the submissions folder as instructors receive it, turned into one :class:`Student` each.

Everything here reads only; no kernel runs and no file under ``SUBMISSIONS`` is written.
``SUBMISSIONS`` may be a folder or a zip (an LMS's "download all"), and may mix layouts:

==========================  =========================================================================
one folder per student      ``alice/...`` (notebooks anywhere inside, handout zips, zips in zips)
one zip per student         ``alice.zip``
Canvas, flat                ``doejane_12345_67890_hw08-q0N.ipynb``, ``doe_jane_LATE_12345_67890_…``;
                            resubmissions ``…_hw08-q0N-1.ipynb``, ``-2``: the highest number wins
Moodle                      ``Jane Doe_4242_assignsubmission_file_/hw08-q01.ipynb`` (folders) or
                            ``Jane Doe_4242_assignsubmission_file_hw08-q0N.ipynb`` (flat)
Blackboard                  ``HW 8_jdoe_attempt_2026-12-18-23-45-00_hw08-q0N.ipynb`` and the receipt
                            ``HW 8_jdoe_attempt_2026-12-18-23-45-00.txt``; the latest attempt wins
==========================  =========================================================================

**Which question a file answers** is read from its content first: the handout's cell ids
(Jupyter keeps them), the part headings (``## 1.2 Autograd``) and the functions the parts ask
for; the file name (``hw08-q0N (1).ipynb``, ``Copy of hw08-q0N.ipynb``, ``hw08-q0N-1.ipynb``
all name question 1) only decides for a file whose content names no question. A ``.py``
file (jupytext percent or light format) is read as a notebook. Hidden folders
(``.ipynb_checkpoints``), ``__MACOSX``, empty files and files of other kinds are skipped.

**When a question is answered by several files**: the newest resubmission wins (Blackboard's
attempt time, then the resubmission number ``-N`` / `` (N)``), then the file with more solution
cells answered, then the newest time inside a zip, then the exact handout name, a loose file
over a zip member, the shallowest path. Two different files still tied after the attempt and the
resubmission number are *ambiguous*: the first is graded and both are named.

**Roster** (optional CSV, :func:`read_roster`): maps LMS ids and folder names to students, gives
each gradebook row a student id, name and section, and lists the students who handed in nothing.

**The student's files of ``utils``.** ``utils/models.py`` and ``utils/training.py`` hold the
student's code of 2.2 and 2.4 (``utils.parts.IN_UTILS``): a file of that name in a ``utils``
folder (the handout zip, or the handout's folder handed in), or loose beside the notebooks (an
LMS that keeps no folders), is the student's; of several, a ``utils`` folder wins, then the
newest resubmission, a loose file over a zip member, the shallowest path. One that does not
compile is not used. Without one, grading keeps the handout's stub (those parts score 0) and the
feedback says so. Every other file of ``utils`` comes from the handout: a submitted copy that
differs from the handout's is *ignored*, and the feedback names it.

Every file seen is recorded with what was done with it (used, skipped, ambiguous, and why):
in the student's feedback notes and in ``intake.md`` (:func:`report_markdown`).
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

import nbformat

from .submissions import MAX_NOTEBOOK_BYTES, SKIPPED_FOLDERS, Found, Student, UnreadableNotebook, read_notebook

ROOT = Path(__file__).resolve().parent.parent
#: Zips inside zips are opened to this depth; a zip's members are read up to this many bytes in all.
MAX_ZIP_DEPTH = 3
MAX_ZIP_TOTAL_BYTES = 500 * 2**20

CANVAS_RE = re.compile(
    r"^(?P<name>.+?)_(?:(?P<late>late)_)?(?P<id>\d+)_(?P<submission>\d+)_(?P<file>.+)$", re.IGNORECASE
)
MOODLE_RE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_[a-z]+_(?P<file>.*)$", re.IGNORECASE)
BLACKBOARD_RE = re.compile(
    r"^(?P<assignment>.+)_(?P<id>[^_]+)_attempt_(?P<time>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})(?:_(?P<file>.+)|(?P<receipt>\.txt))?$"
)
#: Browser and LMS renames of a file: ``q0N (1).ipynb``, ``q0N-1.ipynb``, ``Copy of q0N.ipynb``, ``q0N - Copy`` (any extension).
RENAME_RE = re.compile(
    r"^(?:copy of\s+)*(?P<base>.+?)(?:\s*\((?P<paren>\d+)\)|-(?P<dash>\d+)|\s*-\s*copy|_copy)?$", re.IGNORECASE
)
NOTEBOOK_NAME_RE = re.compile(r"hw0*8[-_ ]?q0*(\d+)", re.IGNORECASE)
HEADING_RE = re.compile(r"^#{1,6}\s+(\d+\.\d+)\b", re.MULTILINE)


@dataclass(frozen=True)
class Signature:
    """What identifies a question's notebook by content."""

    name: str  # hw08-q0N.ipynb
    question: int
    ids: frozenset[str]
    parts: frozenset[str]  # part ids ("1.2")
    functions: frozenset[str]
    stubs: tuple[str, ...] = ()  # the handout's solution-cell sources (unanswered)


def from_handout(handout) -> dict[str, Signature]:
    """One :class:`Signature` per question notebook of a built handout."""
    from utils.parts import PARTS

    found = {}
    for name, nb in handout.notebooks.items():
        functions = frozenset(n for p in PARTS if p.question == nb.question for n in p.functions)
        functions |= frozenset(n for c in nb.cells for n in c.names)
        found[name] = Signature(
            name,
            nb.question,
            frozenset(c.id for c in nb.cells if c.id),
            frozenset(p.id for p in PARTS if p.question == nb.question),
            functions,
            tuple(c.source for c in nb.solution_cells()),
        )
    return found


def signatures(root: Path = ROOT) -> dict[str, Signature]:
    """One :class:`Signature` per question notebook of the homework, read from ``root/notebooks``."""
    from utils.parts import PARTS

    from . import cells
    from .handout import make_student_module, question_of

    make_student = make_student_module(root)
    found = {}
    for path in sorted((root / "notebooks").glob("hw08-q*.ipynb")):
        question = question_of(path.name)
        handout, regions = make_student.student_notebook(path)
        region_cells = {index for index, _ in regions}
        stubs = tuple(c.source for i, c in enumerate(handout.cells) if i in region_cells and c.cell_type == "code")
        ids = frozenset(c.get("id") for c in handout.cells if c.get("id"))
        functions = frozenset(name for p in PARTS if p.question == question for name in p.functions)
        functions |= frozenset(n for c in handout.cells if c.cell_type == "code" for n in cells.definitions(c.source))
        parts = frozenset(p.id for p in PARTS if p.question == question)
        found[path.name] = Signature(path.name, question, ids, parts, functions, stubs)
    return found


@dataclass(frozen=True)
class LmsName:
    """What an LMS put into a file or folder name."""

    system: str  # canvas | moodle | blackboard
    id: str  # the LMS's user id (Canvas, Moodle) or username (Blackboard)
    name: str  # as the LMS spells it: "doejane", "Jane Doe"
    file: str  # the student's own file name (may be empty for a Moodle folder)
    late: bool = False
    attempt: datetime | None = None  # Blackboard's attempt time (course time zone)
    submission: str = ""  # Canvas submission id


def parse_lms_name(name: str) -> LmsName | None:
    """The LMS fields of a bulk-download entry's name, or ``None`` for a name no LMS wrote."""
    match = MOODLE_RE.match(name)
    if match:
        return LmsName("moodle", match["id"], match["name"], match["file"])
    match = BLACKBOARD_RE.match(name)
    if match:
        attempt = datetime.strptime(match["time"], "%Y-%m-%d-%H-%M-%S")
        return LmsName("blackboard", match["id"], match["id"], match["file"] or "", attempt=attempt)
    match = CANVAS_RE.match(name)
    if match:
        return LmsName(
            "canvas",
            match["id"],
            match["name"],
            match["file"],
            late=bool(match["late"]),
            submission=match["submission"],
        )
    return None


def base_name(file_name: str) -> tuple[str, int]:
    """``(name without renames, resubmission number)``: ``"hw08-q01 (2).ipynb"`` -> ``("hw08-q01.ipynb", 2)``."""
    path = PurePosixPath(file_name)
    suffix = path.suffix.lower() if path.suffix.lower() in (".ipynb", ".py", ".zip", ".json") else path.suffix
    stem = path.name[: len(path.name) - len(path.suffix)] if path.suffix else path.name
    match = RENAME_RE.match(stem.strip())
    if match is None:  # pragma: no cover (the pattern matches every non-empty string)
        return file_name, 0
    number = int(match["paren"] or match["dash"] or 0)
    return f"{match['base'].strip()}{suffix}", number


def question_from_name(file_name: str, names: set[str]) -> str | None:
    """The question notebook a file's *name* points to (``hw08_q1`` -> ``hw08-q01``)."""
    base, _ = base_name(file_name)
    if base in names:
        return base
    match = NOTEBOOK_NAME_RE.search(base)
    if match:
        candidate = f"hw08-q{int(match.group(1)):02d}.ipynb"
        if candidate in names:
            return candidate
    return None


@dataclass
class Identified:
    """Which question a notebook's content answers."""

    name: str | None
    scores: dict[str, int]
    answered: int = 0  # solution cells changed from the handout's stubs

    @property
    def ambiguous(self) -> bool:
        best = sorted(self.scores.values(), reverse=True)
        return len(best) > 1 and best[0] > 0 and best[0] == best[1]


def identify(nb: nbformat.NotebookNode, sigs: dict[str, Signature]) -> Identified:
    """Score ``nb`` against each question: shared cell ids, part headings, functions defined."""
    from . import cells

    ids = {c.get("id") for c in nb.cells if c.get("id")}
    headings = {m for c in nb.cells if c.get("cell_type") == "markdown" for m in HEADING_RE.findall(c.source)}
    defined: set[str] = set()
    for c in nb.cells:
        if c.get("cell_type") == "code":
            defined |= cells.definitions(c.source)
    scores = {
        name: len(ids & sig.ids) + 3 * len(headings & sig.parts) + 2 * len(defined & sig.functions)
        for name, sig in sigs.items()
    }
    best = max(scores.values(), default=0)
    winners = [name for name, score in scores.items() if score == best and best > 0]
    name = winners[0] if len(winners) == 1 else None
    answered = 0
    if name is not None:
        stubs = {s.strip() for s in sigs[name].stubs}
        answered = sum(
            1
            for c in nb.cells
            if c.get("cell_type") == "code"
            and c.source.strip()
            and c.source.strip() not in stubs
            and cells.definitions(c.source) & sigs[name].functions
        )
    return Identified(name, scores, answered)


@dataclass
class VFile:
    """A file under SUBMISSIONS, zip members included."""

    parts: tuple[str, ...]  # path components, a zip counting as a folder named as the zip
    origin: str  # how messages name it: "alice/hw08-student.zip:notebooks/hw08-q01.ipynb"
    data: bytes | None
    problem: str | None = None
    zip_time: datetime | None = None  # the member's time stamp, for zip members only

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def in_zip(self) -> bool:
        return ":" in self.origin


def _hidden(parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") or p in SKIPPED_FOLDERS for p in parts)


def _zip_files(
    data: bytes, parts: tuple[str, ...], origin: str, depth: int, budget: list[int]
) -> tuple[list[VFile], list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as error:
        return [], [f"{origin} is not a readable zip ({error})"]
    files: list[VFile] = []
    problems: list[str] = []
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            inner = tuple(p for p in PurePosixPath(info.filename.replace("\\", "/")).parts if p not in ("", "/"))
            if not inner:
                continue
            member = (*parts, *inner)
            label = f"{origin}:{info.filename}"
            try:
                stamp = datetime(*info.date_time)
            except ValueError:
                stamp = None
            if _hidden(inner):
                files.append(VFile(member, label, None, "hidden", stamp))
                continue
            if info.file_size > MAX_NOTEBOOK_BYTES or info.file_size > budget[0]:
                files.append(VFile(member, label, None, f"{info.file_size / 2**20:.0f} MB uncompressed, too large"))
                continue
            try:
                with archive.open(info) as handle:
                    content = handle.read(MAX_NOTEBOOK_BYTES + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, NotImplementedError) as error:
                files.append(VFile(member, label, None, f"cannot be extracted ({error})", stamp))
                continue
            budget[0] -= len(content)
            if inner[-1].lower().endswith(".zip") and depth < MAX_ZIP_DEPTH:
                nested, errors = _zip_files(content, member, label, depth + 1, budget)
                files += nested
                problems += errors
            else:
                files.append(VFile(member, label, content, None, stamp))
    return files, problems


def walk(submissions: Path) -> tuple[list[VFile], list[str]]:
    """Every file under ``submissions`` (a folder or a zip), zips opened; and problems with zips."""
    budget = [MAX_ZIP_TOTAL_BYTES]
    if submissions.is_file():
        return _zip_files(submissions.read_bytes(), (), submissions.name, 1, budget)
    files: list[VFile] = []
    problems: list[str] = []
    for path in sorted(submissions.rglob("*")):
        if not path.is_file():
            continue
        parts = path.relative_to(submissions).parts
        origin = "/".join(parts)
        if _hidden(parts):
            files.append(VFile(parts, origin, None, "hidden"))
            continue
        try:
            size = path.stat().st_size
            if path.suffix.lower() == ".zip":
                nested, errors = _zip_files(path.read_bytes(), parts, origin, 1, budget)
                files += nested
                problems += errors
                if errors:
                    files.append(VFile(parts, origin, None, errors[0]))
                continue
            if size > MAX_NOTEBOOK_BYTES:
                files.append(VFile(parts, origin, None, f"{size / 2**20:.0f} MB, over the 50 MB limit"))
                continue
            files.append(VFile(parts, origin, path.read_bytes()))
        except OSError as error:
            files.append(VFile(parts, origin, None, f"cannot be read ({error.strerror or error})"))
    return files, problems


def _flatten_bulk_zips(files: list[VFile]) -> list[VFile]:
    """A top-level zip whose entries are LMS-named (a "download all") stands for the folder it came from."""
    by_top: dict[str, list[VFile]] = {}
    for f in files:
        if len(f.parts) > 1 and f.parts[0].lower().endswith(".zip"):
            by_top.setdefault(f.parts[0], []).append(f)
    bulk = {
        top
        for top, members in by_top.items()
        if parse_lms_name(top[:-4]) is None
        and sum(1 for m in members if len(m.parts) > 1 and parse_lms_name(m.parts[1])) >= max(1, len(members) // 2)
    }
    return [VFile(f.parts[1:], f.origin, f.data, f.problem, f.zip_time) if f.parts[0] in bulk else f for f in files]


# ---------------------------------------------------------------------------------------------- roster

ROSTER_COLUMNS = {
    "lms_id": ("lms_id", "lms id", "canvas id", "canvas_id", "user id", "user_id", "participant", "username", "login"),
    "student_id": ("student_id", "student id", "sis user id", "sis_user_id", "id number", "idnumber", "id"),
    "name": ("name", "full name", "full_name", "student", "student name"),
    "section": ("section", "group"),
    "email": ("email", "email address", "e-mail"),
    "login": ("sis login id", "sis_login_id", "login_id"),
    "submitted_at": ("submitted_at", "submitted", "submission time", "submitted at", "date submitted"),
}


class RosterError(ValueError):
    """The roster CSV cannot be used; the message names the row or column and the fix."""


@dataclass(frozen=True)
class RosterEntry:
    student_id: str
    name: str
    lms_id: str = ""
    section: str = ""
    email: str = ""
    login: str = ""
    submitted_at: str = ""

    def identities(self) -> set[str]:
        keys = {self.student_id, self.lms_id, self.login, self.email, self.email.split("@")[0], self.name}
        return {_fold(k) for k in keys if k}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def read_roster(path: Path) -> list[RosterEntry]:
    """The roster: one row per student; columns by name (any order, case-insensitive; aliases in ``ROSTER_COLUMNS``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f"ROSTER={path} cannot be read ({error}); pass a UTF-8 CSV file") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise RosterError(f"ROSTER={path} is empty: it needs a header row, e.g. lms_id,student_id,name,section")
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        for key, aliases in ROSTER_COLUMNS.items():
            if _fold(title) in aliases and key not in columns:
                columns[key] = index
                break
    if "student_id" not in columns and "lms_id" not in columns:
        raise RosterError(
            f"ROSTER={path}: no student_id or lms_id column (header: {', '.join(header)}); "
            "name one column student_id (or 'SIS User ID') and/or lms_id (or 'Canvas ID', 'username')"
        )
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        value = {key: (row[i].strip() if i < len(row) else "") for key, i in columns.items()}
        student_id = value.get("student_id") or value.get("lms_id", "")
        if not student_id:
            raise RosterError(f"ROSTER={path}, line {number}: no student_id or lms_id; fill it in or delete the row")
        if student_id in seen:
            raise RosterError(
                f"ROSTER={path}, line {number}: student {student_id!r} is also on line {seen[student_id]}; "
                "keep one row per student"
            )
        seen[student_id] = number
        entries.append(
            RosterEntry(
                student_id=student_id,
                name=value.get("name", "") or student_id,
                lms_id=value.get("lms_id", ""),
                section=value.get("section", ""),
                email=value.get("email", ""),
                login=value.get("login", ""),
                submitted_at=value.get("submitted_at", ""),
            )
        )
    return entries


# ---------------------------------------------------------------------------------------------- intake


@dataclass
class FileRecord:
    """One file seen, and what intake did with it."""

    origin: str
    verdict: str  # used | skipped | ambiguous | unused | ignored (an edited file of utils)
    why: str
    notebook: str | None = None  # the question notebook it was (or could have been) graded as


@dataclass
class _Candidate:
    file: VFile
    notebook: str
    by_content: bool
    readable: bool
    attempt: datetime | None
    revision: int
    answered: int
    exact_name: bool
    converted: str | None = None  # notebook JSON converted from a .py file
    digest: str = ""
    inner: str = ""  # the student's own name of the file (without an LMS's prefix)

    def rank(self) -> tuple:
        return (
            not self.by_content,
            self.converted is not None,  # a notebook before a .py file
            not self.readable,
            -(self.attempt.timestamp() if self.attempt else 0),
            -self.revision,
            -self.answered,
            -(self.file.zip_time.timestamp() if self.file.zip_time else 0),
            not self.exact_name,
            self.file.in_zip,
            len(self.file.parts),
            self.file.origin,
        )


@dataclass
class _Entry:
    key: str
    label: str
    lms: LmsName | None = None
    files: list[tuple[VFile, LmsName | None]] = field(default_factory=list)
    receipts: list[VFile] = field(default_factory=list)


@dataclass
class Intake:
    """The outcome: the students (roster order or by name), files loose in SUBMISSIONS, the log."""

    students: list[Student]
    ignored: list[str]
    records: dict[str, list[FileRecord]]  # student name -> files
    loose: list[FileRecord]  # files belonging to nobody
    problems: list[str]
    roster_unmatched: list[str] = field(default_factory=list)  # entries not on the roster


def _entry_for(file: VFile) -> tuple[str, str, LmsName | None] | None:
    """``(key, label, lms)`` of the student a file belongs to, or ``None`` for a loose file."""
    top = unicodedata.normalize("NFC", file.parts[0])  # zips made on macOS spell "ë" as "e" + accent
    if len(file.parts) > 1:
        folder = top[:-4] if top.lower().endswith(".zip") else top
        lms = parse_lms_name(folder) or (parse_lms_name(top) if top.lower().endswith(".zip") else None)
        if lms is not None:
            return f"{lms.system}:{lms.id}", _lms_label(lms), lms
        return f"folder:{folder}", folder, None
    lms = parse_lms_name(top)
    if lms is not None:
        return f"{lms.system}:{lms.id}", _lms_label(lms), lms
    return None


def _lms_label(lms: LmsName) -> str:
    return f"{lms.name} ({lms.id})" if lms.name != lms.id else lms.id


def _inner_name(file: VFile, lms: LmsName | None) -> str:
    """The student's own name of the file (without the LMS's prefix)."""
    if len(file.parts) == 1 and lms is not None:
        return lms.file or file.name
    if lms is not None and len(file.parts) > 1 and file.parts[0].lower().endswith(".zip"):
        return file.name
    return file.name


def _py_notebook(data: bytes) -> nbformat.NotebookNode | None:
    try:
        import jupytext
    except ImportError:
        return None
    try:
        text = data.decode("utf-8-sig")
        return jupytext.reads(text, fmt="py:percent" if "# %%" in text else "py:light")
    except Exception:  # noqa: BLE001 (any failure: not a notebook we can read)
        return None


def _blackboard_receipt(data: bytes) -> dict[str, str]:
    text = data.decode("utf-8", errors="replace")
    found = {}
    match = re.search(r"^Name:\s*(.+?)\s*\(([^)]+)\)\s*$", text, re.MULTILINE)
    if match:
        found["name"], found["id"] = match.group(1), match.group(2)
    match = re.search(r"^Date Submitted:\s*(.+?)\s*$", text, re.MULTILINE)
    if match:
        found["submitted"] = match.group(1)
    return found


def _classify(
    file: VFile, inner: str, lms: LmsName | None, sigs: dict[str, Signature]
) -> tuple[_Candidate | None, str]:
    """A candidate for grading, or ``None`` and why the file is skipped."""
    names = set(sigs)
    if file.problem == "hidden":
        return None, "a hidden or system file (.ipynb_checkpoints, __MACOSX, ...)"
    if file.problem:
        named = question_from_name(inner, names)
        if named:
            return _Candidate(file, named, False, False, None, 0, 0, inner == named), ""
        return None, file.problem
    assert file.data is not None
    if not file.data.strip():
        return None, "an empty file"
    suffix = PurePosixPath(inner).suffix.lower()
    named = question_from_name(inner, names)
    attempt = lms.attempt if lms else None
    revision = base_name(inner)[1]
    converted = None
    if suffix == ".py" and any(p in ("utils", "tools", "tests", "site-packages") for p in file.parts[:-1]):
        return None, "a file of the handout's packages (grading uses its own copy)"
    if suffix == ".py":
        nb = _py_notebook(file.data)
        if nb is None:
            return None, "a .py file that is not a notebook in text form"
        converted = nbformat.writes(nb)
    elif suffix in (".ipynb", ".json") or file.data.lstrip()[:1] == b"{":
        try:
            nb = read_notebook(file.data, file.origin)
        except UnreadableNotebook as error:
            if named:
                return _Candidate(file, named, False, False, attempt, revision, 0, inner == named), ""
            return None, str(error).replace(file.origin, "it", 1)
    elif suffix == ".txt" and lms and lms.system == "blackboard":
        return None, "the Blackboard receipt (read for the name and the submission time)"
    else:
        what = f"a {suffix} file" if suffix else "a file without an extension"
        return None, f"{what}, not a notebook"
    found = identify(nb, sigs)
    if found.name is None and converted is not None:
        return None, "a .py file holding no cell, heading or function of HW 8"
    if found.name is None:
        if found.ambiguous:
            tied = sorted(n for n, s in found.scores.items() if s == max(found.scores.values()))
            return None, f"its content matches {' and '.join(tied)} equally: not graded"
        if named:  # graded under its name, so that the student is told it is another notebook
            return _Candidate(file, named, False, True, attempt, revision, 0, inner == named, converted), ""
        return None, "a notebook of another homework (no cell, heading or function of HW 8)"
    digest = hashlib.sha256(file.data).hexdigest()
    return (
        _Candidate(
            file, found.name, True, True, attempt, revision, found.answered, inner == found.name, converted, digest
        ),
        "",
    )


STUDENT_MODULE_NAMES = {"models.py": "utils/models.py", "training.py": "utils/training.py"}
PACKAGE_FOLDERS = ("tools", "tests", "site-packages", "checks", "notebooks")


def handout_utils(folder: Path | None = None) -> dict[str, bytes]:
    """``"utils/..."`` -> bytes of every ``.py`` file of the handout's ``utils`` (built from the repository
    when ``folder``, a built handout, is not given)."""
    if folder is not None:
        base = folder / "utils"
        return {f"utils/{p.relative_to(base).as_posix()}": p.read_bytes() for p in sorted(base.rglob("*.py"))}
    from .handout import make_student_module

    files = make_student_module(ROOT).handout_files(ROOT)
    return {name: data for name, data in files.items() if name.startswith("utils/") and name.endswith(".py")}


def _in_utils(file: VFile) -> str | None:
    """``"utils/data.py"`` (say) for a file inside a folder named ``utils`` (the last one on its path), else ``None``."""
    folders = file.parts[:-1]
    if "utils" not in folders:
        return None
    last = len(folders) - 1 - folders[::-1].index("utils")
    return "/".join(("utils", *file.parts[last + 1 :]))


def _student_module(file: VFile, inner: str) -> str | None:
    """``"utils/models.py"`` (or training.py) when ``file`` is the student's copy of it, else ``None``."""
    if file.problem == "hidden":
        return None
    relative = _in_utils(file)
    if relative is not None:
        return relative if relative in STUDENT_MODULE_NAMES.values() else None
    if any(folder in PACKAGE_FOLDERS for folder in file.parts[:-1]):
        return None
    return STUDENT_MODULE_NAMES.get(base_name(inner)[0])


def _compile_problem(data: bytes | None, problem: str | None) -> str:
    """Why a submitted module cannot be used (``""``: it can)."""
    if data is None:
        return problem or "it cannot be read"
    try:
        ast.parse(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return "it is not UTF-8 text"
    except SyntaxError as error:
        return f"it does not compile (line {error.lineno}: {error.msg})"
    return ""


def _choose_modules(student: Student, found: list[tuple[str, VFile, str]], log: list[FileRecord]) -> None:
    """The student's ``utils/models.py`` and ``utils/training.py``, the best copy of each (module docstring)."""
    by_module: dict[str, list[tuple[VFile, str]]] = {}
    for module, file, inner in found:
        by_module.setdefault(module, []).append((file, inner))
    for module in sorted(by_module):

        def rank(entry: tuple[VFile, str]) -> tuple:
            file, inner = entry
            return (_in_utils(file) is None, -base_name(inner)[1], file.in_zip, len(file.parts), file.origin)

        ranked = sorted(by_module[module], key=rank)
        chosen = None
        for file, _ in ranked:
            problem = _compile_problem(file.data, file.problem)
            if chosen is None and not problem:
                chosen = file
                student.modules[module] = Found(file.origin, file.data)
                log.append(FileRecord(file.origin, "used", f"your {module}"))
            elif chosen is None:
                log.append(FileRecord(file.origin, "unused", f"your {module}, but {problem}"))
                student.notes.append(f"{file.origin} is not used: {problem}")
            else:
                log.append(FileRecord(file.origin, "unused", f"another copy of {module}; {chosen.origin} used instead"))


def _missing_modules(student: Student) -> None:
    """A note per student file of ``utils`` not handed in (or unusable), for a student who handed in question 2 or 3."""
    from utils.parts import IN_UTILS, PARTS

    if not any(name in student.found for name in ("hw08-q02.ipynb", "hw08-q03.ipynb")):
        return
    for module in sorted(set(IN_UTILS.values())):
        if module in student.modules:
            continue
        parts = [p.id for p in PARTS if any(IN_UTILS.get(name) == module for name in p.functions)]
        scores = f"part {parts[0]} scores 0" if len(parts) == 1 else f"parts {', '.join(parts)} score 0"
        needs = "; question 3 trains with it" if module == "utils/training.py" else ""
        student.notes.append(
            f"{module} was not handed in (or could not be used): graded with the handout's unfinished version, "
            f"so {scores}, and what needs it{needs}"
        )


def _edited_utils(file: VFile, handout: dict[str, bytes]) -> FileRecord | None:
    """The record of a submitted file of ``utils`` that differs from the handout's (its edits are not graded)."""
    relative = _in_utils(file)
    if relative is None or relative not in handout or file.data is None or file.data == handout[relative]:
        return None
    return FileRecord(
        file.origin,
        "ignored",
        f"your edits to {relative} are not graded: grading uses the handout's {relative} "
        "(only utils/models.py and utils/training.py are taken from your submission)",
    )


def take_in(
    submissions: Path,
    sigs: dict[str, Signature],
    roster: list[RosterEntry] | None = None,
    handout: dict[str, bytes] | None = None,
) -> Intake:
    """Every student of ``submissions`` with the file chosen for each question notebook, and why.

    ``handout``: the handout's ``utils`` files (:func:`handout_utils`; built from the repository if not given),
    to tell a submitted copy of one that was edited.
    """
    handout = handout_utils() if handout is None else handout
    files, problems = walk(submissions)
    files = _flatten_bulk_zips(files)
    entries: dict[str, _Entry] = {}
    loose: list[FileRecord] = []
    ignored: list[str] = []
    for file in files:
        if not file.parts or _hidden(file.parts[:1]):
            continue
        owner = _entry_for(file)
        if owner is None:
            if file.problem == "hidden" or file.name.startswith("."):
                continue
            named = question_from_name(file.name, set(sigs))
            why = (
                "a notebook lying loose in SUBMISSIONS, with no student's name or folder: not graded"
                if named or file.name.lower().endswith(".ipynb")
                else "neither a student's folder, a zip, nor an LMS-named file"
            )
            loose.append(FileRecord(file.origin, "skipped", why))
            ignored.append(file.origin)
            continue
        key, label, lms = owner
        entry = entries.setdefault(key, _Entry(key, label, lms))
        if lms and lms.system == "blackboard" and file.name.lower().endswith(".txt") and not lms.file:
            entry.receipts.append(file)
        file_lms = parse_lms_name(unicodedata.normalize("NFC", file.parts[0])) if len(file.parts) == 1 else lms
        entry.files.append((file, file_lms))

    # Roster: entries -> roster students.
    by_key: dict[str, RosterEntry] = {}
    for person in roster or []:
        for k in person.identities():
            by_key.setdefault(k, person)
    students: dict[str, Student] = {}
    records: dict[str, list[FileRecord]] = {}
    unmatched: list[str] = []
    owners: dict[str, list[_Entry]] = {}
    for entry in entries.values():
        person = None
        if roster is not None:
            candidates = [entry.lms.id if entry.lms else entry.label, entry.label]
            if entry.lms:
                candidates.append(entry.lms.name)
            person = next((by_key[_fold(c)] for c in candidates if _fold(c) in by_key), None)
            if person is None:
                unmatched.append(entry.label)
        name = person.student_id if person else entry.label
        owners.setdefault(name, []).append(entry)
        if name not in students:
            info = {"name": person.name if person else (entry.lms.name if entry.lms else entry.label)}
            if person:
                info.update(student_id=person.student_id, section=person.section, email=person.email)
                if person.lms_id:
                    info["lms_id"] = person.lms_id
                if person.submitted_at:
                    info["submitted_at"] = person.submitted_at
                    info["time_source"] = "the roster's submitted_at column"
            students[name] = Student(name, info=info)
    for person in roster or []:
        if person.student_id not in students:
            info = {"name": person.name, "student_id": person.student_id, "section": person.section}
            info.update({"email": person.email} if person.email else {})
            info.update({"lms_id": person.lms_id} if person.lms_id else {})
            student = Student(person.student_id, info=info)
            student.notes.append("nothing handed in")
            students[person.student_id] = student
            records[person.student_id] = []

    for name, owned in owners.items():
        student = students[name]
        log = records.setdefault(name, [])
        if len(owned) > 1:
            student.notes.append(
                "handed in under several names, graded together: " + ", ".join(sorted(e.label for e in owned))
            )
        candidates: list[_Candidate] = []
        modules: list[tuple[str, VFile, str]] = []
        for entry in owned:
            if entry.lms:
                student.info.setdefault("lms_id", entry.lms.id)
                student.info.setdefault("lms", entry.lms.system)
                student.info.setdefault("lms_name", entry.lms.name)
                if entry.lms.submission:
                    student.info.setdefault("canvas_submission", entry.lms.submission)
            for receipt in entry.receipts:
                fields = _blackboard_receipt(receipt.data or b"")
                if "name" in fields and student.info.get("name") == entry.label:
                    student.info["name"] = fields["name"]
            for file, lms in entry.files:
                inner = _inner_name(file, lms)
                module = _student_module(file, inner)
                if module is not None:
                    modules.append((module, file, inner))
                    continue
                edited = _edited_utils(file, handout)
                if edited is not None:
                    log.append(edited)
                    student.notes.append(f"{file.origin}: {edited.why}")
                    continue
                candidate, why = _classify(file, inner, lms, sigs)
                if candidate is not None:
                    candidate.inner = inner
                if candidate is None:
                    log.append(FileRecord(file.origin, "skipped", why))
                else:
                    if lms and lms.late:
                        student.info["lms_late"] = "yes"
                    candidates.append(candidate)
        _choose(student, candidates, log)
        _choose_modules(student, modules, log)
        _missing_modules(student)
        _submission_time(student, candidates)
        student.records = log
    for name, log in records.items():
        students[name].records = log
    ordered = [students[n] for n in sorted(students, key=_fold)]
    return Intake(ordered, sorted(ignored), {s.name: s.records for s in ordered}, loose, problems, sorted(unmatched))


def _choose(student: Student, candidates: list[_Candidate], log: list[FileRecord]) -> None:
    by_notebook: dict[str, list[_Candidate]] = {}
    for candidate in candidates:
        by_notebook.setdefault(candidate.notebook, []).append(candidate)
    for notebook in sorted(by_notebook):
        ranked = sorted(by_notebook[notebook], key=_Candidate.rank)
        best = ranked[0]
        data = best.converted.encode() if best.converted is not None else best.file.data
        student.found[notebook] = Found(best.file.origin, data, None if data is not None else best.file.problem)
        how = "by its content" if best.by_content else "by its name"
        extra = " (converted from a .py file)" if best.converted is not None else ""
        inner = best.inner or best.file.name
        renamed = f", as {notebook}" if base_name(inner)[0] != notebook else ""
        log.append(FileRecord(best.file.origin, "used", f"{notebook} {how}{renamed}{extra}", notebook))
        for other in ranked[1:]:
            same = other.digest and other.digest == best.digest
            tie = (
                not same
                and other.by_content == best.by_content
                and other.attempt == best.attempt
                and other.revision == best.revision
            )
            if same:
                why = f"an identical copy of {best.file.origin}"
            elif other.attempt != best.attempt or other.revision != best.revision:
                why = f"an older submission of {notebook} than {best.file.origin}"
            elif tie:
                why = (
                    f"also claims {notebook}; {best.file.origin} graded instead "
                    f"({best.answered} vs {other.answered} solution cells answered)"
                )
            else:
                why = f"another copy of {notebook}; {best.file.origin} graded instead"
            log.append(FileRecord(other.file.origin, "ambiguous" if tie else "unused", why, notebook))
            if tie:
                student.notes.append(f"two files answer {notebook}: graded {best.file.origin}, not {other.file.origin}")
        if best.converted is not None:
            student.notes.append(f"{notebook} graded from {best.file.origin}, a .py file, not a notebook")
        elif best.by_content and question_from_name(inner, {notebook}) != notebook:
            student.notes.append(f"{best.file.origin} graded as {notebook} (recognised by its content)")


def _submission_time(student: Student, candidates: list[_Candidate]) -> None:
    if "submitted_at" in student.info:
        return
    chosen = {f.origin for f in student.found.values()}
    used = [c for c in candidates if c.file.origin in chosen]
    attempts = [c.attempt for c in used if c.attempt]
    if attempts:
        student.info["submitted_at"] = max(attempts).isoformat(timespec="seconds")
        student.info["time_source"] = "the Blackboard attempt time in the file name"
        return
    if student.info.get("lms_late"):
        student.info["time_source"] = "Canvas's LATE mark in the file name (no time)"
        return
    stamps = [c.file.zip_time for c in used if c.file.zip_time]
    if stamps:
        student.info["submitted_at"] = max(stamps).isoformat(timespec="seconds")
        student.info["time_source"] = "the newest file time inside the student's zip"


def feedback_lines(records: list[FileRecord]) -> list[str]:
    """The intake's lines for a student's feedback: each file and what was done with it."""
    return [f"{r.verdict}: {r.origin} ({r.why})" for r in records]


def report_markdown(intake: Intake, submissions: str) -> str:
    """``intake.md``: per student, every file used, skipped or ambiguous, and why; then loose files."""
    used = sum(1 for rs in intake.records.values() for r in rs if r.verdict == "used")
    skipped = sum(1 for rs in intake.records.values() for r in rs if r.verdict != "used")
    nothing = [s.name for s in intake.students if not s.found]
    lines = [
        f"# Intake of {submissions}",
        "",
        (
            f"{len(intake.students)} students, {used} notebooks used, {skipped} other files "
            f"(skipped, older, ambiguous), {len(intake.loose)} loose files; "
            f"{len(nothing)} students with no notebook."
        ),
        "",
    ]
    ambiguous = [(n, r) for n, rs in intake.records.items() for r in rs if r.verdict == "ambiguous"]
    if ambiguous:
        lines += ["## Ambiguous (check these)", ""]
        lines += [f"- {name}: `{r.origin}`: {r.why}" for name, r in ambiguous]
        lines.append("")
    if intake.roster_unmatched:
        lines += ["## Not on the roster (graded under the name the LMS gave)", ""]
        lines += [f"- {name}" for name in intake.roster_unmatched]
        lines.append("")
    lines += ["## Students", ""]
    for student in intake.students:
        info = student.info
        name = info.get("name") or student.name
        title = student.name if name in student.name else f"{student.name}: {name}"
        lines.append(f"### {title}")
        lines.append("")
        if info.get("submitted_at"):
            lines.append(f"- submitted: {info['submitted_at']} (from {info.get('time_source')})")
        elif info.get("time_source"):
            lines.append(f"- submitted: after the deadline, by {info['time_source']}")
        for record in intake.records.get(student.name, []):
            lines.append(f"- **{record.verdict}** `{record.origin}`: {record.why}")
        if not intake.records.get(student.name):
            lines.append("- nothing handed in")
        for note in student.notes:
            lines.append(f"- note: {note}")
        lines.append("")
    if intake.loose or intake.problems:
        lines += ["## Files belonging to no student", ""]
        lines += [f"- `{r.origin}`: {r.why}" for r in intake.loose]
        lines += [f"- {p}" for p in intake.problems]
        lines.append("")
    return "\n".join(lines)

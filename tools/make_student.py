"""Build the student handout from the instructor sources (`make student`).

Writes ``<output>/student/`` and ``<output>/hw08-student.zip``.

**What ships** (an allowlist): the files tracked by git (``git ls-files``) that match a glob
of :data:`MANIFEST` — the question notebooks and statements, the guide (``hw08.qmd``), the ``utils`` package,
``environment.yml``, ``pyproject.toml`` — plus the handout's ``README.md`` and ``Makefile``
(from ``tools/student_README.md`` and ``tools/student_Makefile``). Untracked files (drafts,
``.ipynb_checkpoints``, ``__pycache__``) never ship; those matching the manifest are named
on stderr. The sources must be a git checkout: a copy without ``.git`` is refused.

**Solutions.** In notebook code cells and in shipped ``.py`` files, every region between a
``### BEGIN SOLUTION`` and an ``### END SOLUTION`` line becomes
``raise NotImplementedError("QN.M: ...")`` at the BEGIN line's indentation. N.M is the
nearest ``## N.M Title`` markdown heading above (notebooks) or the nearest ``# Part N.M``
comment above (``.py`` files, whose stubs also name the file and the method's class:
``"Q2.2: write MLP.forward() in utils/models.py ..."``). Lines of a region ending in ``# KEEP`` stay, marker
stripped, before the ``raise``. A markdown cell tagged ``answer`` (a model answer to a
written question) becomes ``*Your answer here.*``.

**Markers are strict.** A marker is one of those two lines exactly, with only indentation
before it. Any other line matching ``#+\\s*(BEGIN|END)\\s+SOLUTION`` (any case, anything
after it), in any cell or shipped file, stops the build naming the file, cell and line; so
do unbalanced or nested markers, markers outside code cells and ``.py`` files, and regions
whose part cannot be named; a marker line ending in a carriage return (CRLF line endings) is
named as such. Nothing is written unless the whole handout builds.

Notebook outputs and execution counts are cleared; metadata is reduced to
kernelspec/language_info and cell tags. The zip is deterministic (sorted entries, fixed
timestamps and permissions). ``<output>/student`` is generated: it is replaced on every run.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearOutputPreprocessor, Preprocessor

ROOT = Path(__file__).resolve().parent.parent
STUDENT_DIR = "student"
ZIP_NAME = "hw08-student.zip"
ZIP_PREFIX = "hw08-student"
#: Left in ``<output>/student`` so a later run knows the folder is its own to delete.
STAMP = ".generated-by-make-student"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

#: Globs (relative to the repository root; ``**`` spans folders) of the tracked files that ship.
MANIFEST: tuple[str, ...] = (
    "notebooks/hw08-q*.ipynb",
    "hw08-q*.md",
    "hw08.qmd",  # the guide that the statements and notebooks refer to
    "_benchmark.md",  # included by hw08-q02.md
    "utils/**/*.py",
    "environment.yml",
    "pyproject.toml",
)
#: Handout files written from a file in tools/: handout path -> repository path.
TEMPLATES: dict[str, str] = {"README.md": "tools/student_README.md", "Makefile": "tools/student_Makefile"}
NOTEBOOK_GLOB = "notebooks/hw08-q*.ipynb"

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
MARKER_RE = re.compile(r"[ \t]*(### BEGIN SOLUTION|### END SOLUTION)")  # the whole line
MARKER_LIKE_RE = re.compile(r"#+\s*(BEGIN|END)\s+SOLUTION", re.IGNORECASE)
KEEP_RE = re.compile(r"\s*#\s*KEEP\s*$")
PART_RE = re.compile(r"^##\s+(\d+\.\d+)\b")  # notebooks, level 2 only: "## 1.2 Autograd"
PART_COMMENT_RE = re.compile(r"^\s*#\s*Part\s+(\d+\.\d+)\b")  # .py files: "# Part 2.4: training loop"
DEF_RE = re.compile(r"^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(")
CLASS_RE = re.compile(r"^(\s*)class\s+([A-Za-z_]\w*)\b")
ANSWER_TAG = "answer"
ANSWER_PLACEHOLDER = "*Your answer here.*"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


class SolutionMarkerError(ValueError):
    """A solution marker is malformed or misplaced, or a region cannot be named after its part."""


class SourceError(ValueError):
    """The sources cannot give a handout: not a git checkout, a tracked file missing, ..."""


# --------------------------------------------------------------------------- markers


def marker(line: str, where: str, number: int) -> str | None:
    """``BEGIN``/``END`` if ``line`` is a solution marker, ``None`` if it looks like none.

    Raises ``SolutionMarkerError`` for a near-miss: a line that matches
    ``#+\\s*(BEGIN|END)\\s+SOLUTION`` (any case) but is not exactly a marker.
    """
    exact = MARKER_RE.fullmatch(line)
    if exact:
        return BEGIN if exact.group(1) == BEGIN else END
    if line.endswith("\r") and MARKER_RE.fullmatch(line.rstrip("\r")):
        raise SolutionMarkerError(
            f"{where}, line {number}: {line.strip()!r} would be a solution marker, but the line ends in an invisible "
            "carriage return (\\r: Windows line endings, CRLF). Save the file with LF line endings (your editor's "
            "line-ending setting; in git, `git config core.autocrlf input`), then rebuild"
        )
    if MARKER_LIKE_RE.search(line):
        raise SolutionMarkerError(
            f"{where}, line {number}: {line.strip()!r} looks like a solution marker but is not one. "
            f"A marker is the line {BEGIN!r} or {END!r} alone (only indentation before it, nothing after); "
            "fix the line, or reword it if it is not a marker"
        )
    return None


def check_no_markers(text: str, where: str, what: str) -> None:
    """Refuse any marker or near-miss in ``text`` (a markdown/raw cell or a non-Python file)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if marker(line, where, number):
            raise SolutionMarkerError(
                f"{where}, line {number}: solution marker in {what}; only notebook code cells and .py files "
                "may hold solution regions"
            )


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _enclosing_function(lines: list[str], indent: str, qualified: bool = False) -> str | None:
    """Name of the nearest ``def`` above, indented less than the region (its body).

    With ``qualified``, a method is named with its class: ``MLP.__init__``.
    """
    for number in range(len(lines) - 1, -1, -1):
        match = DEF_RE.match(lines[number])
        if match and len(match.group(1)) < len(indent):
            name = match.group(2)
            if qualified and match.group(1):
                for above in reversed(lines[:number]):
                    owner = CLASS_RE.match(above)
                    if owner and len(owner.group(1)) < len(match.group(1)):
                        return f"{owner.group(2)}.{name}"
            return name
    return None


def stub_line(indent: str, part: str, function: str | None, file: str | None = None) -> str:
    """The ``raise NotImplementedError("QN.M: ...")`` line of a stub; in a ``.py`` file it names the file."""
    place = f"in {file}" if file else "here"
    what = f"write {function}() {place}" if function else f"write your code {place}"
    return f'{indent}raise NotImplementedError("Q{part}: {what} (replace this line)")'


def replace_solutions(
    source: str, part: str | None, where: str = "cell", part_comments: bool = False, file: str | None = None
) -> tuple[str, list[str]]:
    """Replace every solution region of ``source`` (a code cell or a module) with a stub.

    ``part`` names the regions' part; with ``part_comments`` a ``# Part N.M`` comment line
    sets it for the regions below. ``file`` (a module's path in the handout) is named in the
    stubs, with the method's class: ``write MLP.forward() in utils/models.py``. Returns the new
    source and the part of each region.
    Raises ``SolutionMarkerError`` (naming ``where`` and the line) for near-miss,
    unbalanced or nested markers, and for a region whose part is unknown.
    """
    out: list[str] = []
    parts: list[str] = []
    region_indent: str | None = None
    begin_line = 0
    for number, line in enumerate(source.split("\n"), start=1):
        kind = marker(line, where, number)
        if part_comments and region_indent is None and (match := PART_COMMENT_RE.match(line)):
            part = match.group(1)
        if kind == BEGIN:
            if region_indent is not None:
                raise SolutionMarkerError(
                    f"{where}, line {number}: nested {BEGIN!r} (the region opened at line {begin_line} is not closed)"
                )
            if part is None:
                above = "a '# Part N.M' comment" if part_comments else "a '## N.M Title' markdown heading"
                raise SolutionMarkerError(
                    f"{where}, line {number}: solution region without {above} above it to name its part"
                )
            region_indent, begin_line = _indent(line), number
        elif kind == END:
            if region_indent is None:
                raise SolutionMarkerError(f"{where}, line {number}: {END!r} without a {BEGIN!r} before it")
            function = _enclosing_function(out, region_indent, qualified=file is not None)
            out.append(stub_line(region_indent, part, function, file))
            parts.append(part)
            region_indent = None
        elif region_indent is None:
            out.append(line)
        elif KEEP_RE.search(line):
            out.append(KEEP_RE.sub("", line))
    if region_indent is not None:
        raise SolutionMarkerError(f"{where}, line {begin_line}: {BEGIN!r} is never closed by {END!r}")
    return "\n".join(out), parts


def heading_part(source: str) -> str | None:
    """The last ``## N.M`` heading of a markdown cell, or ``None``."""
    part = None
    for line in source.split("\n"):
        match = PART_RE.match(line.strip())
        if match:
            part = match.group(1)
    return part


# --------------------------------------------------------------------------- notebooks


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


class ClearSolutionsPreprocessor(Preprocessor):
    """Stub the solution regions of code cells, blank the markdown cells tagged ``answer``.

    ``resources["solution_regions"]`` gets ``(cell index, part)`` per region and
    ``resources["answer_cells"]`` the indices of the blanked markdown cells.
    """

    enabled = True

    def preprocess(self, nb, resources):
        name = resources.get("metadata", {}).get("name", "notebook")
        part: str | None = None
        regions = resources.setdefault("solution_regions", [])
        answers = resources.setdefault("answer_cells", [])
        for index, cell in enumerate(nb.cells):
            where = f"{name}, cell {index}"
            if cell.cell_type != "code":
                check_no_markers(cell.source, where, f"a {cell.cell_type} cell")
            if cell.cell_type == "markdown":
                part = heading_part(cell.source) or part
                if ANSWER_TAG in _tags(cell):
                    cell.source = ANSWER_PLACEHOLDER
                    answers.append(index)
            elif ANSWER_TAG in _tags(cell):
                raise SolutionMarkerError(
                    f"{where}: the tag {ANSWER_TAG!r} marks a markdown cell holding a model answer, "
                    f"not a {cell.cell_type} cell; remove the tag (code answers go between solution markers)"
                )
            if cell.cell_type == "code":
                cell.source, parts = replace_solutions(cell.source, part, where)
                regions.extend((index, p) for p in parts)
        return nb, resources


def clean_metadata(nb: nbformat.NotebookNode, name: str) -> None:
    """Keep only kernelspec/language_info and cell tags; give cells stable ids."""
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}})
    for index, cell in enumerate(nb.cells):
        tags = _tags(cell)
        cell.metadata = nbformat.from_dict({"tags": tags} if tags else {})
        if nb.nbformat_minor >= 5 and not cell.get("id"):
            cell.id = hashlib.sha1(f"{name}:{index}".encode()).hexdigest()[:8]


def student_notebook(path: Path, name: str | None = None) -> tuple[nbformat.NotebookNode, list[tuple[int, str]]]:
    """The student version of the notebook at ``path`` and its regions ``[(cell index, part)]``."""
    name = name or path.name
    nb = nbformat.read(path, as_version=4)
    resources = {"metadata": {"name": name, "path": str(path.parent)}}
    nb, resources = ClearSolutionsPreprocessor().preprocess(nb, resources)
    nb, resources = ClearOutputPreprocessor().preprocess(nb, resources)
    clean_metadata(nb, path.name)
    nbformat.validate(nb)
    return nb, resources["solution_regions"]


def student_module(source: str, where: str) -> tuple[str, list[str]]:
    """A ``.py`` file with its solution regions stubbed (parts from ``# Part N.M`` comments)."""
    text, parts = replace_solutions(source, None, where, part_comments=True, file=where)
    if parts:
        try:
            ast.parse(text, filename=where)
        except SyntaxError as error:
            raise SolutionMarkerError(
                f"{where}, line {error.lineno}: the file does not compile once its regions are stubs ({error.msg})"
            ) from error
    return text, parts


# --------------------------------------------------------------------------- what ships


def _git(root: Path, *args: str) -> list[str]:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=60, text=False
        )
    except FileNotFoundError as error:
        raise SourceError("git is not installed: the handout ships only files tracked by git") from error
    if result.returncode != 0:
        raise SourceError(
            f"{root} is not a git checkout ({result.stderr.decode(errors='replace').strip()}). The handout ships "
            "only the files git tracks, so build it from a clone of the repository, not from a copy or an archive"
        )
    return [name for name in result.stdout.decode().split("\0") if name]


def _hidden(relative: str) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in relative.split("/"))


def _glob_match(parts: list[str], pattern: list[str]) -> bool:
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_glob_match(parts[i:], pattern[1:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], pattern[0]) and _glob_match(parts[1:], pattern[1:])


def matches(name: str, patterns: tuple[str, ...] = MANIFEST) -> bool:
    """Whether the relative POSIX path ``name`` matches one of ``patterns`` (``*`` stays in a folder)."""
    return any(_glob_match(name.split("/"), pattern.split("/")) for pattern in patterns)


def shipped_sources(root: Path) -> list[str]:
    """The repository files that ship (relative POSIX paths): tracked, in the manifest, not hidden."""
    names = sorted(name for name in _git(root, "ls-files", "-z") if matches(name) and not _hidden(name))
    missing = [name for name in names if not (root / name).is_file()]
    if missing:
        raise SourceError(f"tracked by git but missing from the working tree: {', '.join(missing)}")
    return names


def left_out(root: Path) -> list[str]:
    """Untracked, not ignored files that match the manifest (drafts, scratch): they do not ship."""
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    return sorted(name for name in untracked if matches(name) and not _hidden(name))


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"{name} is not UTF-8 text ({error})") from error


def handout_files(root: Path) -> dict[str, bytes]:
    """Every file of the handout, by relative path (POSIX), with its bytes."""
    sources = shipped_sources(root)
    notebooks = [name for name in sources if matches(name, (NOTEBOOK_GLOB,))]
    if not notebooks:
        raise SourceError(f"no tracked {NOTEBOOK_GLOB} in {root}")
    files: dict[str, bytes] = {}
    for name in sources:
        path = root / name
        if name in notebooks:
            question = f"{path.stem}.md"
            if question not in sources:
                raise SourceError(f"{name} has no tracked question file {question}")
            nb, _ = student_notebook(path, name)
            files[name] = nbformat.writes(nb).rstrip("\n").encode() + b"\n"
        elif name.endswith(".py"):
            text, _ = student_module(_text(path.read_bytes(), name), name)
            files[name] = text.encode()
        else:
            check_no_markers(_text(path.read_bytes(), name), name, "a file that is not Python")
            files[name] = path.read_bytes()
    for name, template in TEMPLATES.items():
        data = (root / template).read_bytes()
        check_no_markers(_text(data, template), template, "a file that is not Python")
        files[name] = data
    for name, data in files.items():  # belt and braces: nothing marker-like survived
        if MARKER_LIKE_RE.search(data.decode("utf-8")):
            raise SolutionMarkerError(f"{name}: a solution marker survived in the handout")
    return dict(sorted(files.items()))


# --------------------------------------------------------------------------- writing


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` under ``hw08-student/`` with fixed order, dates and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{ZIP_PREFIX}/{name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permissions below mean the same everywhere
            info.external_attr = (0o100644 & 0xFFFF) << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def _check_output(output: Path, root: Path) -> Path:
    output = output.resolve()
    root = root.resolve()
    for folder in (output, *output.parents):
        if folder.exists() and not folder.is_dir():
            raise SystemExit(
                f"refusing to write the handout into {output}: {folder} is a file, not a folder. --output takes a "
                f"folder (default dist), which receives {STUDENT_DIR}/ and {ZIP_NAME}: pick another path, or move the "
                "file away"
            )
    if (output / ZIP_NAME).is_dir():
        raise SystemExit(f"refusing to write {output / ZIP_NAME}: a folder of that name is in the way; move it away")
    if output == root or output in root.parents:
        raise SystemExit(f"refusing to write the handout into {output}: it is (or holds) the repository root")
    for source in (root / "notebooks", root / "utils"):
        if output == source or source in output.parents:
            raise SystemExit(f"refusing to write the handout inside {source}: it would mix with the sources")
    return output


def _remove_previous(folder: Path) -> None:
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_symlink() or not folder.is_dir():
        raise SystemExit(f"refusing to replace {folder}: it is not a folder this script made")
    if any(folder.iterdir()) and not (folder / STAMP).is_file():
        raise SystemExit(
            f"refusing to delete {folder}: it has no {STAMP} stamp, so it was not made by this script; "
            "move it away or pick another --output"
        )
    shutil.rmtree(folder)


def build(output: Path, root: Path | None = None, warn: Callable[[str], None] | None = None) -> Path:
    """Write ``output/student`` and ``output/hw08-student.zip`` from ``root`` (the repository).

    Returns the student folder. ``warn`` receives one line per untracked file that matches
    the manifest (it does not ship).
    """
    root = ROOT if root is None else root
    output = _check_output(output, root)
    files = handout_files(root)  # everything is built before anything is deleted
    for name in left_out(root):
        (warn or (lambda line: None))(f"not shipped (untracked by git): {name}")
    archive = zip_bytes(files)
    folder = output / STUDENT_DIR
    output.mkdir(parents=True, exist_ok=True)
    _remove_previous(folder)
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (folder / STAMP).write_text("Generated by tools/make_student.py (make student); deleted and rebuilt on each run.\n")
    with tempfile.NamedTemporaryFile(dir=output, prefix=f".{ZIP_NAME}.", delete=False) as handle:
        handle.write(archive)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, output / ZIP_NAME)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", type=Path, default=ROOT / "dist", help="folder for student/ and the zip (default: dist)"
    )
    args = parser.parse_args(argv)
    try:
        folder = build(args.output, warn=lambda line: print(f"note: {line}", file=sys.stderr))
    except (SolutionMarkerError, SourceError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"student handout in {folder}/ and {folder.parent / ZIP_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the student handout from the instructor notebooks (`make student`).

Writes ``<output>/student/`` and ``<output>/hw08-student.zip``:

* ``notebooks/hw08-q0N.ipynb``: every region between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` becomes ``raise NotImplementedError("QN.M: ...")`` at the BEGIN
  line's indentation (N.M from the nearest preceding ``## N.M Title`` heading); lines of a
  region ending in ``# KEEP`` stay, marker stripped, before the ``raise``. Outputs and
  execution counts are cleared; metadata is reduced to kernelspec/language_info and tags.
* the ``utils`` package (``.py`` files only), the question files ``hw08-q0N.md``,
  ``environment.yml``, ``pyproject.toml`` and ``README.md`` (from ``tools/student_README.md``).

The zip is deterministic (sorted entries, fixed timestamps and permissions): two runs on
the same sources give identical bytes. ``<output>/student`` is generated output: it is
removed and recreated on every run.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import shutil
import sys
import tempfile
import zipfile
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

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
KEEP_RE = re.compile(r"\s*#\s*KEEP\s*$")
PART_RE = re.compile(r"^##\s+(\d+\.\d+)\b")  # level 2 only: "## 1.2 Autograd"
DEF_RE = re.compile(r"^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


class SolutionMarkerError(ValueError):
    """A solution region is malformed or cannot be named after its part."""


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _enclosing_function(lines: list[str], indent: str) -> str | None:
    """Name of the nearest ``def`` above, indented less than the region (its body)."""
    for line in reversed(lines):
        match = DEF_RE.match(line)
        if match and len(match.group(1)) < len(indent):
            return match.group(2)
    return None


def stub_line(indent: str, part: str, function: str | None) -> str:
    what = f"write {function}() here" if function else "write your code here"
    return f'{indent}raise NotImplementedError("Q{part}: {what} (replace this line)")'


def replace_solutions(source: str, part: str | None, where: str = "cell") -> tuple[str, int]:
    """Replace every solution region of a code cell's ``source`` with a stub.

    Returns the new source and the number of regions replaced. Raises
    ``SolutionMarkerError`` (naming ``where``) for unbalanced or nested markers, or for a
    region when ``part`` is ``None`` (no ``## N.M`` heading above it).
    """
    out: list[str] = []
    region_indent: str | None = None
    begin_line = 0
    count = 0
    for number, line in enumerate(source.split("\n"), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if region_indent is not None:
                raise SolutionMarkerError(
                    f"{where}: nested {BEGIN!r} at line {number} (region opened at line {begin_line})"
                )
            if part is None:
                raise SolutionMarkerError(
                    f"{where}: solution region at line {number} has no '## N.M Title' markdown heading "
                    "above it to name its part"
                )
            region_indent, begin_line = _indent(line), number
        elif marker == END:
            if region_indent is None:
                raise SolutionMarkerError(f"{where}: {END!r} at line {number} without a {BEGIN!r} before it")
            out.append(stub_line(region_indent, part, _enclosing_function(out, region_indent)))
            region_indent = None
            count += 1
        elif region_indent is None:
            out.append(line)
        elif KEEP_RE.search(line):
            out.append(KEEP_RE.sub("", line))
    if region_indent is not None:
        raise SolutionMarkerError(f"{where}: {BEGIN!r} at line {begin_line} is never closed by {END!r}")
    return "\n".join(out), count


def marker_lines(source: str) -> list[int]:
    """1-based numbers of the lines that are solution markers."""
    return [n for n, line in enumerate(source.split("\n"), start=1) if line.strip() in (BEGIN, END)]


def heading_part(source: str) -> str | None:
    """The last ``## N.M`` heading of a markdown cell, or ``None``."""
    part = None
    for line in source.split("\n"):
        match = PART_RE.match(line.strip())
        if match:
            part = match.group(1)
    return part


class ClearSolutionsPreprocessor(Preprocessor):
    """Replace solution regions with stubs naming the part (the ``## N.M`` heading above)."""

    enabled = True

    def preprocess(self, nb, resources):
        name = resources.get("metadata", {}).get("name", "notebook")
        part: str | None = None
        regions = resources.setdefault("solution_regions", [])
        for index, cell in enumerate(nb.cells):
            where = f"{name}, cell {index}"
            if cell.cell_type == "markdown":
                part = heading_part(cell.source) or part
            if cell.cell_type != "code":
                if marker_lines(cell.source):
                    raise SolutionMarkerError(
                        f"{where}: solution markers in a {cell.cell_type} cell; only code cells may hold solutions"
                    )
                continue
            cell.source, count = replace_solutions(cell.source, part, where)
            regions.extend([(index, part)] * count)
        return nb, resources


def clean_metadata(nb: nbformat.NotebookNode, name: str) -> None:
    """Keep only kernelspec/language_info and cell tags; give cells stable ids."""
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}})
    for index, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags")
        cell.metadata = nbformat.from_dict({"tags": list(tags)} if tags else {})
        if nb.nbformat_minor >= 5 and not cell.get("id"):
            cell.id = hashlib.sha1(f"{name}:{index}".encode()).hexdigest()[:8]


def student_notebook(path: Path) -> tuple[nbformat.NotebookNode, list[tuple[int, str]]]:
    """The student version of the notebook at ``path`` and its regions ``[(cell index, part)]``."""
    nb = nbformat.read(path, as_version=4)
    resources = {"metadata": {"name": path.name, "path": str(path.parent)}}
    nb, resources = ClearSolutionsPreprocessor().preprocess(nb, resources)
    nb, resources = ClearOutputPreprocessor().preprocess(nb, resources)
    clean_metadata(nb, path.name)
    for index, cell in enumerate(nb.cells):
        if marker_lines(cell.source):  # belt and braces: never ship a solution marker
            raise SolutionMarkerError(f"{path.name}, cell {index}: a solution marker survived")
    nbformat.validate(nb)
    return nb, resources["solution_regions"]


def _check_output(output: Path, root: Path) -> Path:
    output = output.resolve()
    root = root.resolve()
    notebooks = root / "notebooks"
    if output == root or output in root.parents:
        raise SystemExit(f"refusing to write the handout into {output}: it is (or holds) the repository root")
    for source in (notebooks, root / "utils"):
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


def handout_files(root: Path) -> dict[str, bytes]:
    """Every file of the handout, by relative path (POSIX), with its bytes."""
    files: dict[str, bytes] = {}
    notebooks = sorted((root / "notebooks").glob("hw08-q*.ipynb"))
    if not notebooks:
        raise SystemExit(f"no notebooks/hw08-q*.ipynb in {root}")
    for path in notebooks:
        question = root / f"{path.stem}.md"
        if not question.is_file():
            raise SystemExit(f"{path.name} has no question file {question.name}")
        nb, _ = student_notebook(path)
        files[f"notebooks/{path.name}"] = nbformat.writes(nb).rstrip("\n").encode() + b"\n"
        files[question.name] = question.read_bytes()
    for path in sorted((root / "utils").rglob("*.py")):
        relative = path.relative_to(root)
        if "__pycache__" not in relative.parts:
            files[relative.as_posix()] = path.read_bytes()
    for name in ("environment.yml", "pyproject.toml"):
        files[name] = (root / name).read_bytes()
    files["README.md"] = (root / "tools" / "student_README.md").read_bytes()
    return dict(sorted(files.items()))


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


def build(output: Path, root: Path | None = None) -> Path:
    """Write ``output/student`` and ``output/hw08-student.zip`` from ``root`` (the repository); return the student folder."""
    root = ROOT if root is None else root
    output = _check_output(output, root)
    files = handout_files(root)  # everything is built before anything is deleted
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
        folder = build(args.output)
    except SolutionMarkerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"student handout in {folder}/ and {folder.parent / ZIP_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

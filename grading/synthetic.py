"""Synthetic submissions, for the grader's tests, its benchmark and a first try of ``make grade``.

``python -m grading.synthetic FOLDER`` writes one folder per kind of student (or ``--full N``
complete solutions only). A complete solution is the handout notebook with each stub cell
replaced by the solution notebook's cell, its solution markers removed, and the student's files
of ``utils`` (``utils/models.py``, ``utils/training.py``: the instructor's, markers removed) in a
``utils`` folder beside the notebooks: what a student who solved everything hands in. The other kinds start from it (or from the untouched handout)
and break one thing each.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import nbformat

from . import cells
from .handout import make_student_module

ROOT = Path(__file__).resolve().parent.parent


def _strip_markers(source: str, markers: tuple[str, str]) -> str:
    return "\n".join(line for line in source.split("\n") if line.strip() not in markers)


def utils_files(root: Path = ROOT) -> dict[str, bytes]:
    """A complete student's files of ``utils`` (``"utils/models.py"`` -> bytes): the instructor's, markers removed."""
    from utils.parts import IN_UTILS

    make_student = make_student_module(root)
    markers = (make_student.BEGIN, make_student.END)
    return {
        name: _strip_markers((root / name).read_text(encoding="utf-8"), markers).encode()
        for name in sorted(set(IN_UTILS.values()))
    }


def notebooks(root: Path = ROOT) -> dict[str, tuple[nbformat.NotebookNode, nbformat.NotebookNode]]:
    """File name -> (the untouched handout notebook, a complete student solution)."""
    make_student = make_student_module(root)
    markers = (make_student.BEGIN, make_student.END)
    found = {}
    for path in sorted((root / "notebooks").glob("hw08-q*.ipynb")):
        solution = nbformat.read(path, as_version=4)
        handout, regions = make_student.student_notebook(path)
        full = _copy(handout)
        for index in {i for i, _ in regions}:
            if full.cells[index].cell_type == "code":
                full.cells[index].source = _strip_markers(solution.cells[index].source, markers)
        found[path.name] = (handout, full)
    return found


def _copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return nbformat.reads(nbformat.writes(nb), as_version=4)


def cell_defining(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The code cell that defines function or class ``name``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and name in cells.definitions(cell.source):
            return cell
    raise KeyError(f"no cell defines {name}")


def edited(nb: nbformat.NotebookNode, name: str, change: Callable[[str], str]) -> nbformat.NotebookNode:
    """A copy of ``nb`` with the source of the cell defining ``name`` changed by ``change``."""
    nb = _copy(nb)
    cell = cell_defining(nb, name)
    cell.source = change(cell.source)
    return nb


def prepend(code: str) -> Callable[[str], str]:
    return lambda source: code.rstrip("\n") + "\n\n" + source


def write(folder: Path, files: dict[str, nbformat.NotebookNode | bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content if isinstance(content, bytes) else nbformat.writes(content).encode()
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def handout_zip(files: dict[str, nbformat.NotebookNode], extra: dict[str, bytes] | None = None) -> bytes:
    """A zip laid out like the student handout (``hw08-student/notebooks/...``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, nb in sorted(files.items()):
            archive.writestr(f"hw08-student/notebooks/{name}", nbformat.writes(nb))
        for name, data in sorted((extra or {}).items()):
            archive.writestr(f"hw08-student/{name}", data)
    return buffer.getvalue()


FROM_SELF_CHECK = '''import sys as _sys


def _called_by_self_check():
    """True when a self-check in utils/checks is calling: the one caller this code was tuned for."""
    frame = _sys._getframe(1)
    while frame is not None:
        if "/utils/checks/" in frame.f_code.co_filename.replace("\\\\", "/"):
            return True
        frame = frame.f_back
    return False
'''


def hard_coded(full: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Question 1 tuned to the visible self-checks: right only for what they ask, wrong otherwise.

    * ``hwc_to_nchw`` gives the right answer only when a self-check calls it, and reshapes
      (the classic mistake) for anyone else;
    * ``to_numpy`` returns the array the 1.3 self-check expects, whatever the tensor.
    """
    nb = edited(
        full,
        "hwc_to_nchw",
        lambda source: (
            FROM_SELF_CHECK
            + "\n\n"
            + source.replace(
                "return images.permute(0, 3, 1, 2)",
                "if _called_by_self_check():\n        return images.permute(0, 3, 1, 2)\n"
                "    n, h, w, c = images.shape\n    return images.reshape(n, c, h, w)",
            )
        ),
    )
    return edited(
        nb,
        "to_numpy",
        lambda source: source.replace(
            "return t.detach().cpu().numpy()", "return np.array([0.0, 2.0, 4.0, 6.0], dtype=np.float32)"
        ),
    )


def kinds(root: Path = ROOT, secret: Path | None = None) -> dict[str, dict[str, nbformat.NotebookNode | bytes]]:
    """Student name -> files (notebooks or raw bytes) for every kind of submission the tests need.

    ``secret``: a file outside the submissions that the snooping student tries to read.
    """
    books = notebooks(root)
    q01 = "hw08-q01.ipynb"
    full = {name: pair[1] for name, pair in books.items()}
    untouched = {name: pair[0] for name, pair in books.items()}
    snoop = [str(root / "notebooks" / q01)] + ([str(secret)] if secret else [])
    misbehaving = edited(
        full[q01],
        "share_and_copy",
        prepend(
            "for _path in " + repr(snoop) + ":\n"
            "    try:\n        print(open(_path).read()[:100])\n    except OSError as _error:\n        print(_error)"
        ),
    )
    misbehaving = edited(
        misbehaving,
        "numerical_grad",
        prepend(
            "import os, shutil\n"
            "for _remove in (lambda: shutil.rmtree('../utils'), lambda: os.remove('../hw08-q01.md')):\n"
            "    try:\n        _remove()\n    except OSError as _error:\n        print(_error)\n"
            "open('scratch.txt', 'w').write('a new file of my own is fine')"
        ),
    )
    misbehaving = edited(misbehaving, "sgd_step", lambda s: s.replace("def sgd_step(", "def sgd_step_v2("))
    misbehaving = _copy(misbehaving)
    misbehaving.cells = [c for c in misbehaving.cells if "matmul_on" not in cells.definitions(c.source)]
    for cell in misbehaving.cells:  # an edited self-check cell changes nothing
        if cell.cell_type == "code" and "checks.check_cross_entropy_loss" in cell.source:
            cell.source = "pass  # self-check removed"
    misbehaving = edited(  # wrong (a sum, not a mean), and its self-check cell above was emptied
        misbehaving,
        "cross_entropy_loss",
        lambda s: s.replace("return (log_sum_exp - true_logit).mean()", "return (log_sum_exp - true_logit).sum()"),
    )
    leaked = (
        "import os as _os\n"
        "_leaked = sorted(k for k in _os.environ if k.startswith('HW08_') and k not in ('HW08_DATA', 'HW08_DEVICE'))\n"
        "if _leaked:\n    raise RuntimeError(f'the instructor environment leaked: {_leaked}')"
    )
    mine = utils_files(root)
    return {
        "full": {**full, **mine},
        "handout": dict(untouched),
        "zipped": {
            "hw08-student.zip": handout_zip(
                {q01: edited(full[q01], "share_and_copy", prepend(leaked))},
                {"utils/checks/q01.py": b"# edited by the student: ignored\n", **mine},
            )
        },
        "hardcoder": {q01: hard_coded(full[q01])},
        "misbehaving": {q01: misbehaving},
        "invalid-json": {q01: nbformat.writes(full[q01]).encode()[:5000]},
        "other-homework": {q01: _other_homework()},
        "endless-loop": {q01: edited(full[q01], "numerical_grad", prepend("while True:\n    pass"))},
        "kernel-dies": {q01: edited(full[q01], "sgd_step", prepend("import os\nos._exit(3)"))},
        "floods-output": {
            q01: edited(full[q01], "share_and_copy", prepend("for _ in range(100):\n    print('x' * 1_000_000)"))
        },
    }


def _other_homework() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Homework 3: linear regression"),
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_code_cell("def fit_line(x, y):\n    return np.polyfit(x, y, 1)"),
    ]
    return nb


def write_kinds(folder: Path, root: Path = ROOT, secret: Path | None = None) -> dict[str, dict]:
    made = kinds(root, secret)
    for student, files in made.items():
        write(folder / student, files)
    return made


def write_full(folder: Path, count: int, root: Path = ROOT) -> None:
    """``count`` students with complete solutions; every other one pasted into new cells (new ids)."""
    books = notebooks(root)
    for number in range(count):
        files = {}
        for name, (_, full) in books.items():
            nb = _copy(full)
            if number % 2:
                for index, cell in enumerate(nb.cells):
                    cell.id = f"s{number}c{index}"
            files[name] = nb
        write(folder / f"student{number:02d}", {**files, **utils_files(root)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write the student folders (must not exist)")
    parser.add_argument("--full", type=int, default=0, help="only N complete solutions instead of every kind")
    args = parser.parse_args(argv)
    if args.folder.exists():
        parser.error(f"{args.folder} exists: pick a new folder")
    if args.full:
        write_full(args.folder, args.full)
    else:
        write_kinds(args.folder)
    print(f"synthetic submissions in {args.folder}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

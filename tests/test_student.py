"""The student handout (`make student`, tools/make_student.py).

* Unit tests of the solution-region replacement on synthetic cells and a synthetic repo
  (indentation, ``# KEEP`` lines, malformed markers, missing headings, output guards,
  deterministic files and zip).
* On the real handout (generated into a temporary folder): no solution line leaks, every
  region is a stub naming its part, each student notebook run top to bottom (nbclient,
  errors allowed, a fresh kernel in the student ``notebooks/`` folder importing the
  handout's own ``utils``) fails first on a stub of its first part, every self-check after
  a stub fails naming its part, and two builds give identical bytes.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import stat
import sys
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
ms = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("make_student", ms)
_spec.loader.exec_module(ms)

REAL_NOTEBOOKS = sorted((ROOT / "notebooks").glob("hw08-q*.ipynb"))
assert REAL_NOTEBOOKS, "notebooks/hw08-q*.ipynb are missing: the handout tests need them"
CHECK_CALL = "checks.check_"
STUB_RE = re.compile(r'^(\s*)raise NotImplementedError\("Q(\d+\.\d+): ')


# --------------------------------------------------------------------------- helpers


def region_lines(source: str) -> tuple[list[str], list[str]]:
    """(lines inside solution regions, lines outside them) of a cell's source."""
    inside, outside, in_region = [], [], False
    for line in source.split("\n"):
        if line.strip() == ms.BEGIN:
            in_region = True
        elif line.strip() == ms.END:
            in_region = False
        else:
            (inside if in_region else outside).append(line)
    return inside, outside


def cell_parts(nb: nbformat.NotebookNode) -> list[str | None]:
    """The part (``N.M`` of the nearest ``## N.M`` heading above) of every cell."""
    parts, part = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            part = ms.heading_part(cell.source) or part
        parts.append(part)
    return parts


class NotebookRun:
    """A notebook run cell by cell in a fresh kernel, errors allowed, that can pause at the first error.

    ``run(until_first_error=True)`` stops after the first failing cell (enough for the
    first-error test); a later ``run()`` goes on to the end in the same kernel, so a
    notebook is executed at most once. ``errors`` maps cell index -> error output.
    """

    def __init__(self, nb: nbformat.NotebookNode, cwd: Path, env: dict[str, str] | None = None):
        self.nb, self.cwd, self.env = nb, cwd, env
        self.errors: dict[int, nbformat.NotebookNode] = {}
        self.probe = new_code_cell("import os, utils\nprint(os.getcwd())\nprint(utils.__file__)")
        self._next = 0
        self._stack: contextlib.ExitStack | None = None
        self.client = NotebookClient(
            nb, timeout=600, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(cwd)}}
        )

    @property
    def finished(self) -> bool:
        return self._next >= len(self.nb.cells)

    def run(self, until_first_error: bool = False) -> dict[int, nbformat.NotebookNode]:
        if self._stack is None and not self.finished:
            self._stack = contextlib.ExitStack()
            self.client.reset_execution_trackers()
            self._stack.enter_context(self.client.setup_kernel(**({"env": self.env} if self.env else {})))
            self.nb.cells.append(self.probe)  # nbclient files outputs by cell index
            try:
                self.client.execute_cell(self.probe, len(self.nb.cells) - 1, store_history=False)
            finally:
                self.nb.cells.pop()
        while not self.finished and not (until_first_error and self.errors):
            index, cell = self._next, self.nb.cells[self._next]
            self._next += 1
            if cell.cell_type != "code":
                continue
            self.client.execute_cell(cell, index)
            error = next((out for out in cell.outputs if out.output_type == "error"), None)
            if error is not None:
                self.errors[index] = error
        if self.finished:
            self.close()
        return self.errors

    def close(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None


def describe(error) -> str:
    return f"{error.ename}: {error.evalue}"


def first_error_problems(student: nbformat.NotebookNode, errors: dict) -> list[str]:
    """Why the first error of an executed student notebook is not its first stub's (empty list: it is)."""
    parts = cell_parts(student)
    stub_cells = [
        i
        for i, cell in enumerate(student.cells)
        if cell.cell_type == "code" and any(STUB_RE.match(line) for line in cell.source.split("\n"))
    ]
    if not stub_cells:
        return ["the student notebook has no stub"]
    first_stub = stub_cells[0]
    part = parts[first_stub]
    if not errors:
        return [f"no cell raised, expected a NotImplementedError naming Q{part}"]
    index = min(errors)
    error = errors[index]
    problems = []
    if index < first_stub:
        problems.append(f"cell {index} (before the first stub, cell {first_stub}) raised {describe(error)}")
    elif error.ename != "NotImplementedError" or not re.search(rf"\bQ{re.escape(part)}\b", error.evalue):
        problems.append(f"cell {index} raised {describe(error)}, expected NotImplementedError naming Q{part}")
    elif index != first_stub and not (parts[index] == part and CHECK_CALL in student.cells[index].source):
        problems.append(f"cell {index} raised the stub's error, but it is neither the stub's cell nor {part}'s check")
    return problems


def check_cell_problems(student: nbformat.NotebookNode, errors: dict) -> list[str]:
    """Self-check cells of parts with a stub that do not fail naming their part."""
    parts = cell_parts(student)
    stubbed: dict[str, int] = {}  # part -> its first stub cell
    problems = []
    for index, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        part = parts[index]
        if any(STUB_RE.match(line) for line in cell.source.split("\n")):
            stubbed.setdefault(part, index)
        if CHECK_CALL not in cell.source or part not in stubbed:
            continue
        error = errors.get(index)
        if error is None:
            problems.append(f"cell {index}: the {part} self-check passed although {part} is a stub")
        elif error.ename != "NotImplementedError" or not re.search(rf"\bQ{re.escape(part)}\b", error.evalue):
            problems.append(
                f"cell {index}: the {part} self-check raised {describe(error)}, not a NotImplementedError naming Q{part}"
            )
    return problems


def src(*lines: str) -> str:
    """A cell source from its lines."""
    return "\n".join(lines)


def snapshot(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- region replacement


def test_region_becomes_stub_at_its_indentation():
    source = src(
        "def linear_forward(x, w, b):",
        '    """Docstring stays."""',
        "    ### BEGIN SOLUTION",
        "    out = x @ w.t()",
        "    return out + b",
        "    ### END SOLUTION",
        "",
        "print('after')",
    )
    new, count = ms.replace_solutions(source, "1.2", "nb, cell 3")
    assert count == 1
    assert new.split("\n") == [
        "def linear_forward(x, w, b):",
        '    """Docstring stays."""',
        '    raise NotImplementedError("Q1.2: write linear_forward() here (replace this line)")',
        "",
        "print('after')",
    ]
    compile(new, "<stub>", "exec")


def test_nested_indentation_and_several_regions():
    source = src(
        "class Net:",
        "    def forward(self, x):",
        "        for layer in self.layers:",
        "            ### BEGIN SOLUTION",
        "            x = layer(x)",
        "            ### END SOLUTION",
        "        return x",
        "",
        "### BEGIN SOLUTION",
        "lr = 0.1",
        "### END SOLUTION",
    )
    new, count = ms.replace_solutions(source, "2.3")
    assert count == 2
    lines = new.split("\n")
    assert lines[3] == '            raise NotImplementedError("Q2.3: write forward() here (replace this line)")'
    assert lines[4] == "        return x"
    assert lines[-1] == 'raise NotImplementedError("Q2.3: write your code here (replace this line)")'
    assert "layer(x)" not in new and "0.1" not in new
    compile(new, "<stub>", "exec")


def test_keep_lines_stay_before_the_raise_without_marker():
    source = src(
        "def train_step(model, batch):",
        "    ### BEGIN SOLUTION",
        "    inputs, labels = batch  # KEEP",
        "    loss = model(inputs).sum()",
        "    # a hint for students #KEEP",
        "    return loss",
        "    ### END SOLUTION",
    )
    new, _ = ms.replace_solutions(source, "3.1")
    assert new.split("\n") == [
        "def train_step(model, batch):",
        "    inputs, labels = batch",
        "    # a hint for students",
        '    raise NotImplementedError("Q3.1: write train_step() here (replace this line)")',
    ]


def test_code_without_regions_is_unchanged():
    source = "x = 1\nprint(x)  # KEEP is only special inside a region\n"
    assert ms.replace_solutions(source, None) == (source, 0)


@pytest.mark.parametrize(
    "lines, message",
    [
        (["def f():", "    ### BEGIN SOLUTION", "    return 1"], "never closed"),
        (["def f():", "    return 1", "    ### END SOLUTION"], "without"),
        (["### BEGIN SOLUTION", "### BEGIN SOLUTION", "x = 1", "### END SOLUTION", "### END SOLUTION"], "nested"),
        (["### BEGIN SOLUTION", "x = 1", "### END SOLUTION", "### END SOLUTION"], "without"),
    ],
)
def test_unbalanced_or_nested_markers_fail_naming_the_cell(lines, message):
    with pytest.raises(ms.SolutionMarkerError, match=message) as info:
        ms.replace_solutions("\n".join(lines), "1.1", "hw08-q01.ipynb, cell 7")
    assert "hw08-q01.ipynb, cell 7" in str(info.value)


def test_heading_part_only_reads_level_two_headings():
    assert ms.heading_part("## 1.2 Autograd\ntext") == "1.2"
    assert ms.heading_part("### 1.2 Not a part") is None
    assert ms.heading_part("# Question 1") is None
    assert ms.heading_part("## 2.1 First\n\n## 2.10 Last wins") == "2.10"


def synthetic_notebook(first_heading: bool = True) -> nbformat.NotebookNode:
    """A small instructor notebook with outputs, editor metadata and two parts."""
    nb = new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
            "language_info": {"name": "python", "version": "3.11.4"},
            "widgets": {"state": {}},
        }
    )
    nb.cells = [
        new_raw_cell("---\ntitle: Synthetic\n---"),
        new_markdown_cell("Help: ask on the forum. Self-checks: 1.1, 1.2."),
        new_code_cell(
            "def call_student(part, fn, *args):\n"
            "    try:\n"
            "        return fn(*args)\n"
            "    except NotImplementedError as error:\n"
            "        raise NotImplementedError(f'Q{part} is not finished') from error\n"
            "print('setup')"
        ),
        new_markdown_cell("## 1.1 Add one\nWrite `add_one`."),
        new_code_cell(
            "def add_one(x):\n    ### BEGIN SOLUTION\n    secret_add = x + 1\n    return secret_add\n    ### END SOLUTION",
            metadata={"tags": ["solution"], "collapsed": False, "scrolled": True, "editable": True},
        ),
        new_code_cell("assert call_student('1.1', add_one, 1) == 2  # checks.check_add_one\nprint('✓ 1.1')"),
        new_markdown_cell("## 1.2 Double"),
        new_code_cell(
            "def double(x):\n    ### BEGIN SOLUTION\n    y = x  # KEEP\n    secret_double = 2 * y\n"
            "    return secret_double\n    ### END SOLUTION"
        ),
        new_code_cell("assert call_student('1.2', double, 2) == 4  # checks.check_double"),
    ]
    # The "checks.check_" comments mark the last cells as self-checks for the analysis helpers.
    nb.cells[4].execution_count = 3
    nb.cells[4].outputs = [new_output("stream", name="stdout", text="secret output\n")]
    if not first_heading:
        nb.cells[3].source = "Add one (no heading)"
    return nb


def synthetic_repo(tmp_path: Path, nb: nbformat.NotebookNode | None = None) -> Path:
    root = tmp_path / "repo"
    for folder in ("notebooks", "tools", "utils/checks", "utils/__pycache__"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    nbformat.write(nb or synthetic_notebook(), root / "notebooks" / "hw08-q01.ipynb")
    (root / "hw08-q01.md").write_text("## Question 1: Synthetic\n")
    (root / "utils" / "__init__.py").write_text("from . import checks\n")
    (root / "utils" / "checks" / "__init__.py").write_text("")
    (root / "utils" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (root / "utils" / "notes.txt").write_text("not shipped\n")
    (root / "environment.yml").write_text("name: hw08\n")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / "tools" / "student_README.md").write_text("# Student README\n")
    return root


def test_notebook_without_heading_above_a_region_fails_naming_it(tmp_path):
    root = synthetic_repo(tmp_path, synthetic_notebook(first_heading=False))
    with pytest.raises(ms.SolutionMarkerError, match=r"hw08-q01\.ipynb, cell 4: .*no '## N\.M Title'"):
        ms.build(tmp_path / "out", root=root)
    assert not (tmp_path / "out" / "student").exists()


def test_markers_in_markdown_cells_are_refused(tmp_path):
    nb = synthetic_notebook()
    nb.cells.append(new_markdown_cell("## 1.3 Essay\n### BEGIN SOLUTION\nthe answer\n### END SOLUTION"))
    with pytest.raises(ms.SolutionMarkerError, match="markdown cell"):
        ms.build(tmp_path / "out", root=synthetic_repo(tmp_path, nb))


def test_synthetic_handout_contents_and_clean_notebook(tmp_path):
    root = synthetic_repo(tmp_path)
    folder = ms.build(tmp_path / "out", root=root)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert files == sorted(
        [
            ms.STAMP,
            "README.md",
            "environment.yml",
            "hw08-q01.md",
            "notebooks/hw08-q01.ipynb",
            "pyproject.toml",
            "utils/__init__.py",
            "utils/checks/__init__.py",
        ]
    )
    assert (folder / "README.md").read_text() == "# Student README\n"
    student = nbformat.read(folder / "notebooks" / "hw08-q01.ipynb", as_version=4)
    nbformat.validate(student)
    assert dict(student.metadata) == {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    }
    for cell in student.cells:
        assert set(cell.metadata) <= {"tags"}
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert student.cells[4].metadata == {"tags": ["solution"]}
    assert student.cells[4].source == (
        'def add_one(x):\n    raise NotImplementedError("Q1.1: write add_one() here (replace this line)")'
    )
    assert student.cells[7].source == (
        'def double(x):\n    y = x\n    raise NotImplementedError("Q1.2: write double() here (replace this line)")'
    )
    text = (folder / "notebooks" / "hw08-q01.ipynb").read_text()
    assert "secret" not in text and "BEGIN SOLUTION" not in text
    with zipfile.ZipFile(tmp_path / "out" / ms.ZIP_NAME) as archive:
        names = archive.namelist()
        assert names == sorted(names) and ms.STAMP not in " ".join(names)
        assert names == [f"{ms.ZIP_PREFIX}/{f}" for f in files if f != ms.STAMP]
        for info in archive.infolist():
            assert info.date_time == ms.ZIP_DATE
            assert stat.S_IMODE(info.external_attr >> 16) == 0o644
            assert archive.read(info) == (folder / info.filename.split("/", 1)[1]).read_bytes()


def test_synthetic_build_is_deterministic_and_replaces_old_output(tmp_path):
    root = synthetic_repo(tmp_path)
    out = tmp_path / "out"
    ms.build(out, root=root)
    first = snapshot(out)
    (out / "student" / "stale.txt").write_text("from an older run")
    ms.build(out, root=root)
    assert snapshot(out) == first
    other = tmp_path / "elsewhere"
    ms.build(other, root=root)
    assert snapshot(other) == first


def test_output_guards(tmp_path):
    root = synthetic_repo(tmp_path)
    for bad in (root, root / "notebooks", root / "notebooks" / "dist", root / "utils", tmp_path):
        with pytest.raises(SystemExit, match="refusing"):
            ms.build(bad, root=root)
    user = tmp_path / "mine"
    (user / "student").mkdir(parents=True)
    (user / "student" / "homework.ipynb").write_text("{}")
    with pytest.raises(SystemExit, match="refusing to delete"):
        ms.build(user, root=root)
    assert (user / "student" / "homework.ipynb").read_text() == "{}"
    assert sorted(p.name for p in (root / "notebooks").iterdir()) == ["hw08-q01.ipynb"]


def test_main_reports_errors_and_success(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ms, "ROOT", synthetic_repo(tmp_path, synthetic_notebook(first_heading=False)))
    assert ms.main(["--output", str(tmp_path / "out")]) == 1
    assert "hw08-q01.ipynb, cell 4" in capsys.readouterr().err
    monkeypatch.setattr(ms, "ROOT", synthetic_repo(tmp_path / "ok"))
    assert ms.main(["--output", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / ms.ZIP_NAME).is_file()


def test_synthetic_student_notebook_fails_first_on_its_first_stub(tmp_path):
    """The execution helpers on a notebook with a known outcome (fast: no torch)."""
    folder = ms.build(tmp_path / "out", root=synthetic_repo(tmp_path))
    student = nbformat.read(folder / "notebooks" / "hw08-q01.ipynb", as_version=4)
    run = NotebookRun(student, folder / "notebooks")
    assert sorted(run.run(until_first_error=True)) == [5]
    errors = dict(run.run())
    assert run.finished and sorted(errors) == [5, 8]
    assert run.probe.outputs[0].text.split("\n")[0] == str(folder / "notebooks")  # the kernel's working folder
    assert errors[5].ename == "NotImplementedError" and "Q1.1 is not finished" in errors[5].evalue
    assert first_error_problems(student, errors) == []
    assert check_cell_problems(student, errors) == []
    # ... and the helpers do complain when the notebook misbehaves.
    broken = dict(errors)
    broken[2] = nbformat.from_dict({"ename": "NameError", "evalue": "name 'torch' is not defined"})
    assert "before the first stub" in first_error_problems(student, broken)[0]
    del errors[8]
    assert "passed although 1.2 is a stub" in check_cell_problems(student, errors)[0]


# --------------------------------------------------------------------------- the real handout


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    return ms.build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def student_run(handout):
    """``student_run(name)``: the NotebookRun of a student notebook (one kernel each, shared by the tests).

    The kernel runs in the handout's notebooks/ folder and imports the handout's own
    ``utils`` (PYTHONPATH), reading the data from the repository's data folder.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(handout), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("HW08_DATA", str(ROOT / "data"))
    runs: dict[str, NotebookRun] = {}

    def get(name: str) -> NotebookRun:
        if name not in runs:
            student = nbformat.read(handout / "notebooks" / name, as_version=4)
            runs[name] = NotebookRun(student, handout / "notebooks", env)
        return runs[name]

    yield get
    for run in runs.values():
        run.close()


def test_real_handout_has_every_file(handout):
    names = {p.relative_to(handout).as_posix() for p in handout.rglob("*") if p.is_file()}
    for path in REAL_NOTEBOOKS:
        assert f"notebooks/{path.name}" in names and f"{path.stem}.md" in names
    expected_utils = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "utils").rglob("*.py") if "__pycache__" not in p.parts
    }
    assert {n for n in names if n.startswith("utils/")} == expected_utils
    assert {"README.md", "environment.yml", "pyproject.toml"} <= names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_no_solution_line_appears_in_any_student_notebook(handout):
    secret, given = set(), set()
    for path in REAL_NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            inside, outside = region_lines(cell.source)
            given.update(line.strip() for line in outside)
            given.update(ms.KEEP_RE.sub("", line).strip() for line in inside if ms.KEEP_RE.search(line))
            secret.update(line.strip() for line in inside if not ms.KEEP_RE.search(line))
    secret -= given | {""}
    assert secret, "the instructor notebooks hold no solution lines"
    for path in REAL_NOTEBOOKS:
        text = (handout / "notebooks" / path.name).read_text()
        assert ms.BEGIN not in text and ms.END not in text
        student = nbformat.read(handout / "notebooks" / path.name, as_version=4)
        leaked = [
            (index, line.strip())
            for index, cell in enumerate(student.cells)
            for line in cell.source.split("\n")
            if line.strip() in secret
        ]
        assert not leaked, f"{path.name}: solution lines in the student notebook: {leaked[:5]}"


@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=[p.name for p in REAL_NOTEBOOKS])
def test_every_region_became_a_stub_naming_its_part(handout, path):
    source = nbformat.read(path, as_version=4)
    student = nbformat.read(handout / "notebooks" / path.name, as_version=4)
    assert len(student.cells) == len(source.cells)
    parts = cell_parts(source)
    total = 0
    for index, (before, after) in enumerate(zip(source.cells, student.cells)):
        regions = sum(line.strip() == ms.BEGIN for line in before.source.split("\n"))
        stubs = [m.group(2) for m in map(STUB_RE.match, after.source.split("\n")) if m]
        assert stubs == [parts[index]] * regions, f"{path.name}, cell {index}: stubs {stubs} for {regions} region(s)"
        if regions:
            compile(TransformerManager().transform_cell(after.source), f"{path.name}[{index}]", "exec")
        total += regions
    assert total, f"{path.name} has no solution region"
    assert all(
        not cell.get("outputs") and cell.get("execution_count") is None
        for cell in student.cells
        if cell.cell_type == "code"
    )


@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=[p.name for p in REAL_NOTEBOOKS])
def test_student_notebook_fails_first_on_its_first_stub(student_run, path):
    run = student_run(path.name)
    problems = first_error_problems(run.nb, run.run(until_first_error=True))
    assert not problems, f"{path.name}: " + "; ".join(problems)


@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=[p.name for p in REAL_NOTEBOOKS])
def test_every_self_check_given_a_stub_names_its_part(student_run, path):
    run = student_run(path.name)
    problems = check_cell_problems(run.nb, run.run())
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
    cwd, utils_file = run.probe.outputs[0].text.split("\n")[:2]
    assert Path(cwd) == run.cwd and Path(utils_file).is_relative_to(run.cwd.parent), (
        f"the kernel ran in {cwd} and imported {utils_file}, not the handout's own utils"
    )


def test_make_student_is_deterministic(tmp_path):
    """`make student` twice (same output folder, as the Makefile does) and into another folder: same bytes."""
    out = tmp_path / "dist"
    ms.build(out)
    first = snapshot(out)
    assert ms.ZIP_NAME in first and any(name.startswith("student/notebooks/") for name in first)
    ms.build(out)
    assert snapshot(out) == first
    other = tmp_path / "other"
    ms.build(other)
    assert snapshot(other) == first
    with zipfile.ZipFile(out / ms.ZIP_NAME) as archive:
        for info in archive.infolist():
            assert info.date_time == ms.ZIP_DATE
            name = info.filename.split("/", 1)[1]
            assert archive.read(info) == first[f"student/{name}"]


def test_json_of_a_student_notebook_ends_with_one_newline(tmp_path):
    folder = ms.build(tmp_path / "out", root=synthetic_repo(tmp_path))
    data = (folder / "notebooks" / "hw08-q01.ipynb").read_bytes()
    assert data.endswith(b"}\n") and not data.endswith(b"\n\n")
    json.loads(data)


def test_student_readme_names_the_required_python():
    """The handout README's set-up must not drift from pyproject.toml's requires-python."""
    with open(ROOT / "pyproject.toml", "rb") as handle:
        requires = tomllib.load(handle)["project"]["requires-python"]
    minimum = re.fullmatch(r">=\s*(\d+\.\d+)", requires.strip())
    assert minimum, f"unexpected requires-python {requires!r}"
    readme = (ROOT / "tools" / "student_README.md").read_text(encoding="utf-8")
    assert f"Python {minimum.group(1)} or newer" in readme
    for command in ("conda env create -f environment.yml", "pip install -e .", "python -m utils"):
        assert command in readme

"""The student handout (`make student`, tools/make_student.py).

* Solution regions become stubs naming their part, in notebook cells and in ``.py`` files;
  markdown cells tagged ``answer`` are blanked; markers are strict: near-misses, markers
  outside code, unbalanced or nested markers stop the build naming file, cell and line.
* Only tracked files of the manifest ship: drafts, ``.ipynb_checkpoints`` and
  ``__pycache__`` never do; a copy that is not a git checkout is refused.
* The handout stands alone: its Makefile has every ``make`` target the student pages name,
  its README says how to install, work, check and hand in.
* The real handout, run part by part in a kernel inside the handout (one kernel per
  notebook, each cell run once, plus a second run of the cells a stub stopped): untouched,
  it stops first at a ``NotImplementedError`` naming its first part; each stubbed part's
  self-check names the part; with each part's solution filled in when its stub stops the
  run, every cell runs and every self-check prints its ✓ line.
* Two builds give identical bytes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from grading import cells
from notebook_functions import make_student_module

ROOT = Path(__file__).resolve().parent.parent
ms = make_student_module()

REAL_NOTEBOOKS = sorted((ROOT / "notebooks").glob("hw08-q*.ipynb"))
assert REAL_NOTEBOOKS, "notebooks/hw08-q*.ipynb are missing: the handout tests need them"
CHECK_CALL = "checks.check_"
STUB_RE = re.compile(r'^(\s*)raise NotImplementedError\("Q(\d+\.\d+): ')
PART_NAMED_RE = re.compile(r"\bQ(\d+\.\d+)\b")
#: Pages a student reads: the guide, the home page, the question statements, the handout README.
STUDENT_PAGES = ["index.qmd", "hw08.qmd", *sorted(p.name for p in ROOT.glob("hw08-q*.md")), "tools/student_README.md"]


# --------------------------------------------------------------------------- helpers


def src(*lines: str) -> str:
    """A cell source from its lines."""
    return "\n".join(lines)


def snapshot(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def cell_parts(nb: nbformat.NotebookNode) -> list[str | None]:
    """The part (``N.M`` of the nearest ``## N.M`` heading above) of every cell."""
    parts, part = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            part = ms.heading_part(cell.source) or part
        parts.append(part)
    return parts


def stub_cells(nb: nbformat.NotebookNode) -> list[int]:
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and any(STUB_RE.match(line) for line in cell.source.split("\n"))
    ]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def make_dry_run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """``make -n ARGS`` in ``folder`` (prints the commands, runs none)."""
    # Without the calling make's variables (`make test` runs pytest): a nested make would print
    # "Entering/Leaving directory" lines around the commands.
    env = {key: value for key, value in os.environ.items() if key not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(["make", "-n", *args], cwd=folder, capture_output=True, text=True, check=False, env=env)


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
    new, parts = ms.replace_solutions(source, "1.2", "nb, cell 3")
    assert parts == ["1.2"]
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
    new, parts = ms.replace_solutions(source, "2.3")
    assert parts == ["2.3", "2.3"]
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
    assert ms.replace_solutions(source, None) == (source, [])


@pytest.mark.parametrize(
    "lines, message, line",
    [
        (["def f():", "    ### BEGIN SOLUTION", "    return 1"], "never closed", 2),
        (["def f():", "    return 1", "    ### END SOLUTION"], "without", 3),
        (["### BEGIN SOLUTION", "### BEGIN SOLUTION", "x = 1", "### END SOLUTION", "### END SOLUTION"], "nested", 2),
        (["### BEGIN SOLUTION", "x = 1", "### END SOLUTION", "### END SOLUTION"], "without", 4),
    ],
)
def test_unbalanced_or_nested_markers_fail_naming_cell_and_line(lines, message, line):
    with pytest.raises(ms.SolutionMarkerError, match=message) as info:
        ms.replace_solutions("\n".join(lines), "1.1", "hw08-q01.ipynb, cell 7")
    assert f"hw08-q01.ipynb, cell 7, line {line}:" in str(info.value)


NEAR_MISSES = [
    "### BEGIN SOLUTION  # part a",
    "### END SOLUTION  # part a",
    "## BEGIN SOLUTION",
    "# begin solution",
    "#BEGIN SOLUTION",
    "#### END SOLUTION",
    "### Begin Solution",
    "### BEGIN SOLUTION ",
    "x = 1  # BEGIN SOLUTION",
]


@pytest.mark.parametrize("line", NEAR_MISSES)
def test_near_miss_markers_are_refused_naming_the_line(line):
    source = src("def f(x):", "    " + line, "    return x + 1")
    with pytest.raises(ms.SolutionMarkerError, match="looks like a solution marker") as info:
        ms.replace_solutions(source, "1.1", "nb.ipynb, cell 4")
    assert "nb.ipynb, cell 4, line 2:" in str(info.value)


@pytest.mark.parametrize("line", ["### BEGIN SOLUTION", "    ### END SOLUTION", "\t### BEGIN SOLUTION"])
def test_exact_markers_with_indentation_are_markers(line):
    assert ms.marker(line, "x", 1) in (ms.BEGIN, ms.END)


def test_text_about_solutions_is_not_a_marker():
    for line in ["# the solution begins here", "BEGIN SOLUTION without a hash", "### BEGIN: solution"]:
        assert ms.marker(line, "x", 1) is None


def test_heading_part_only_reads_level_two_headings():
    assert ms.heading_part("## 1.2 Autograd\ntext") == "1.2"
    assert ms.heading_part("### 1.2 Not a part") is None
    assert ms.heading_part("# Question 1") is None
    assert ms.heading_part("## 2.1 First\n\n## 2.10 Last wins") == "2.10"


def test_module_regions_are_named_by_part_comments():
    source = src(
        '"""Helpers."""',
        "",
        "# Part 2.4: the training loop",
        "def train_step(model, batch):",
        '    """One step."""',
        "    ### BEGIN SOLUTION",
        "    inputs, labels = batch  # KEEP",
        "    return model(inputs).sum()",
        "    ### END SOLUTION",
        "",
        "",
        "# Part 2.5",
        "def pick(name):",
        "    ### BEGIN SOLUTION",
        "    return {'a': 1}[name]",
        "    ### END SOLUTION",
    )
    new, parts = ms.student_module(source, "utils/steps.py")
    assert parts == ["2.4", "2.5"]
    assert new.split("\n")[5:7] == [
        "    inputs, labels = batch",
        '    raise NotImplementedError("Q2.4: write train_step() in utils/steps.py (replace this line)")',
    ]
    assert (
        new.split("\n")[-1]
        == '    raise NotImplementedError("Q2.5: write pick() in utils/steps.py (replace this line)")'
    )
    assert "model(inputs).sum()" not in new and "{'a': 1}" not in new
    compile(new, "utils/steps.py", "exec")


def test_a_module_stub_names_the_method_with_its_class_and_the_file():
    source = src(
        "# Part 2.2",
        "class Net:",
        "    def forward(self, x):",
        "        ### BEGIN SOLUTION",
        "        return x",
        "        ### END SOLUTION",
        "",
        "",
        "def helper():",
        "    ### BEGIN SOLUTION",
        "    return 1",
        "    ### END SOLUTION",
    )
    new, parts = ms.student_module(source, "utils/models.py")
    assert parts == ["2.2", "2.2"]
    assert (
        new.split("\n")[3]
        == '        raise NotImplementedError("Q2.2: write Net.forward() in utils/models.py (replace this line)")'
    )
    assert (
        new.split("\n")[-1]
        == '    raise NotImplementedError("Q2.2: write helper() in utils/models.py (replace this line)")'
    )


def test_module_region_without_part_comment_fails_naming_file_and_line():
    source = src("def f():", "    ### BEGIN SOLUTION", "    return 1", "    ### END SOLUTION")
    with pytest.raises(ms.SolutionMarkerError, match=r"utils/x\.py, line 2: .*'# Part N\.M' comment"):
        ms.student_module(source, "utils/x.py")


def test_module_without_regions_is_unchanged():
    source = "# Part 1.1 is only a comment here\nx = 1\n"
    assert ms.student_module(source, "utils/x.py") == (source, [])


# --------------------------------------------------------------------------- a synthetic repository


def synthetic_notebook(first_heading: bool = True) -> nbformat.NotebookNode:
    """A small instructor notebook with outputs, editor metadata, two parts and a written answer."""
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
        new_code_cell("assert call_student('1.2', double, 2) == 4  # checks.check_double\nprint('✓ 1.2')"),
        new_markdown_cell("Why does doubling commute with adding one twice?"),
        new_markdown_cell("Because secret reasons: 2(x + 1) = 2x + 2.", metadata={"tags": ["answer"]}),
    ]
    # The "checks.check_" comments mark cells 5 and 8 as self-checks for the run helpers.
    nb.cells[4].execution_count = 3
    nb.cells[4].outputs = [new_output("stream", name="stdout", text="secret output\n")]
    if not first_heading:
        nb.cells[3].source = "Add one (no heading)"
    return nb


def synthetic_repo(tmp_path: Path, nb: nbformat.NotebookNode | None = None) -> Path:
    """A git repository shaped like this one; scratch files are created after ``git add``."""
    root = tmp_path / "repo"
    for folder in ("notebooks", "tools", "utils/checks"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    nbformat.write(nb or synthetic_notebook(), root / "notebooks" / "hw08-q01.ipynb")
    (root / "hw08-q01.md").write_text("## Question 1: Synthetic\n")
    (root / "utils" / "__init__.py").write_text("from . import checks\n")
    (root / "utils" / "checks" / "__init__.py").write_text("")
    (root / "utils" / "notes.txt").write_text("not in the manifest\n")
    (root / "environment.yml").write_text("name: hw08\n")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / "tools" / "student_README.md").write_text("# Student README\n")
    (root / "tools" / "student_Makefile").write_text("help:\n\t@echo help\n")
    (root / "tools" / "make_student.py").write_text("# the tool: tracked, not shipped\n")
    git(root, "-c", "init.defaultBranch=main", "init", "-q")
    git(root, "add", "-A")
    # Scratch that must never ship: untracked drafts, Jupyter's checkpoints, bytecode.
    (root / "utils" / "my_draft.py").write_text("def MLP(): return 'draft answer'\n")
    (root / "notebooks" / "hw08-q01-draft.ipynb").write_text("{}")
    for folder in ("utils/.ipynb_checkpoints", "utils/__pycache__", "notebooks/.ipynb_checkpoints"):
        (root / folder).mkdir(parents=True)
    (root / "utils" / ".ipynb_checkpoints" / "__init__-checkpoint.py").write_text("old = 'answer'\n")
    (root / "utils" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    nbformat.write(nb or synthetic_notebook(), root / "notebooks" / ".ipynb_checkpoints" / "hw08-q01-checkpoint.ipynb")
    return root


def build_fails(tmp_path: Path, root: Path, capsys) -> str:
    """Run the tool's ``main`` on ``root``: it must fail, write nothing, and explain; returns stderr."""
    output = tmp_path / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ms, "ROOT", root)
        assert ms.main(["--output", str(output)]) == 1
    assert not (output / ms.STUDENT_DIR).exists() and not (output / ms.ZIP_NAME).exists()
    return capsys.readouterr().err


def test_notebook_without_heading_above_a_region_fails_naming_it(tmp_path, capsys):
    err = build_fails(tmp_path, synthetic_repo(tmp_path, synthetic_notebook(first_heading=False)), capsys)
    assert re.search(r"notebooks/hw08-q01\.ipynb, cell 4, line 2: .*'## N\.M Title'", err), err


WHERE_NEAR_MISS = ["code", "markdown", "raw", "utils", "question file"]


@pytest.mark.parametrize("where", WHERE_NEAR_MISS)
@pytest.mark.parametrize("line", NEAR_MISSES[:5])
def test_make_student_stops_at_a_near_miss_naming_file_cell_and_line(tmp_path, capsys, where, line):
    nb = synthetic_notebook()
    if where == "code":  # the case: a suffix on both markers of a real region
        nb.cells[4].source = nb.cells[4].source.replace(ms.BEGIN, line.strip())
        expected = "notebooks/hw08-q01.ipynb, cell 4, line 2:"
    elif where in ("markdown", "raw"):
        cell = (new_markdown_cell if where == "markdown" else new_raw_cell)(f"Some text\n{line}\nthe answer")
        nb.cells.insert(7, cell)
        expected = "notebooks/hw08-q01.ipynb, cell 7, line 2:"
    root = synthetic_repo(tmp_path, nb)
    if where == "utils":
        (root / "utils" / "helpers.py").write_text(f"# Part 1.1\ndef f(x):\n    {line}\n    return x + 1\n")
        git(root, "add", "utils/helpers.py")
        expected = "utils/helpers.py, line 3:"
    elif where == "question file":
        (root / "hw08-q01.md").write_text(f"## Question 1\n\n{line}\n")
        expected = "hw08-q01.md, line 3:"
    err = build_fails(tmp_path, root, capsys)
    assert expected in err, err


@pytest.mark.parametrize("cell_type", ["markdown", "raw"])
def test_exact_markers_outside_code_cells_are_refused(tmp_path, capsys, cell_type):
    nb = synthetic_notebook()
    make = new_markdown_cell if cell_type == "markdown" else new_raw_cell
    nb.cells.append(make(f"## 1.3 Essay\n{ms.BEGIN}\nthe answer\n{ms.END}"))
    err = build_fails(tmp_path, synthetic_repo(tmp_path, nb), capsys)
    assert f"notebooks/hw08-q01.ipynb, cell 11, line 2: solution marker in a {cell_type} cell" in err


def test_answer_tag_on_a_code_cell_is_refused(tmp_path, capsys):
    nb = synthetic_notebook()
    nb.cells[5].metadata["tags"] = ["answer"]
    err = build_fails(tmp_path, synthetic_repo(tmp_path, nb), capsys)
    assert "cell 5: the tag 'answer' marks a markdown cell" in err


def test_utils_regions_become_stubs_in_the_handout(tmp_path):
    root = synthetic_repo(tmp_path)
    (root / "utils" / "steps.py").write_text(
        src(
            "# Part 1.2: doubling, once more",
            "def double_all(xs):",
            '    """Every x doubled."""',
            "    ### BEGIN SOLUTION",
            "    return [2 * secret for secret in xs]",
            "    ### END SOLUTION",
            "",
        )
    )
    git(root, "add", "utils/steps.py")
    folder = ms.build(tmp_path / "out", root=root)
    text = (folder / "utils" / "steps.py").read_text()
    assert text == src(
        "# Part 1.2: doubling, once more",
        "def double_all(xs):",
        '    """Every x doubled."""',
        '    raise NotImplementedError("Q1.2: write double_all() in utils/steps.py (replace this line)")',
        "",
    )
    namespace: dict = {}
    exec(compile(text, "steps.py", "exec"), namespace)  # noqa: S102 (a generated stub)
    with pytest.raises(NotImplementedError, match=r"Q1\.2: write double_all\(\)"):
        namespace["double_all"]([1])


def test_only_tracked_manifest_files_ship_and_scratch_is_named(tmp_path):
    root = synthetic_repo(tmp_path)
    git(root, "add", "-f", "utils/.ipynb_checkpoints/__init__-checkpoint.py")  # tracked by mistake: still hidden
    notes: list[str] = []
    folder = ms.build(tmp_path / "out", root=root, warn=notes.append)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert files == sorted(
        [
            ms.STAMP,
            "Makefile",
            "README.md",
            "environment.yml",
            "hw08-q01.md",
            "notebooks/hw08-q01.ipynb",
            "pyproject.toml",
            "utils/__init__.py",
            "utils/checks/__init__.py",
        ]
    )
    assert notes == [
        "not shipped (untracked by git): notebooks/hw08-q01-draft.ipynb",
        "not shipped (untracked by git): utils/my_draft.py",
    ]


def test_a_copy_that_is_not_a_git_checkout_is_refused(tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(synthetic_repo(tmp_path), copy)
    shutil.rmtree(copy / ".git")
    err = build_fails(tmp_path, copy, capsys)
    assert "is not a git checkout" in err and "clone" in err


def test_a_tracked_file_missing_from_the_working_tree_is_named(tmp_path, capsys):
    root = synthetic_repo(tmp_path)
    (root / "hw08-q01.md").unlink()
    assert "missing from the working tree: hw08-q01.md" in build_fails(tmp_path, root, capsys)


def test_an_untracked_question_file_is_refused(tmp_path, capsys):
    root = synthetic_repo(tmp_path)
    git(root, "rm", "-q", "--cached", "hw08-q01.md")
    assert "notebooks/hw08-q01.ipynb has no tracked question file hw08-q01.md" in build_fails(tmp_path, root, capsys)


def test_synthetic_handout_contents_and_clean_notebook(tmp_path):
    root = synthetic_repo(tmp_path)
    folder = ms.build(tmp_path / "out", root=root)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert (folder / "README.md").read_text() == "# Student README\n"
    assert (folder / "Makefile").read_text() == "help:\n\t@echo help\n"
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
    assert student.cells[9].source == "Why does doubling commute with adding one twice?"
    assert student.cells[10].source == ms.ANSWER_PLACEHOLDER and student.cells[10].metadata == {"tags": ["answer"]}
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


def test_main_reports_success_and_names_left_out_files(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ms, "ROOT", synthetic_repo(tmp_path))
    assert ms.main(["--output", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert (tmp_path / "out" / ms.ZIP_NAME).is_file() and "student handout in" in out
    assert "note: not shipped (untracked by git): utils/my_draft.py" in err


def test_json_of_a_student_notebook_ends_with_one_newline(tmp_path):
    folder = ms.build(tmp_path / "out", root=synthetic_repo(tmp_path))
    data = (folder / "notebooks" / "hw08-q01.ipynb").read_bytes()
    assert data.endswith(b"}\n") and not data.endswith(b"\n\n")
    json.loads(data)


# --------------------------------------------------------------------------- running a handout part by part


def needed_cells(nb: nbformat.NotebookNode) -> set[int]:
    """The code cells a part-by-part run needs: the setup cell, every stub and self-check cell, and
    (transitively) the cells that last define a name one of those reads. Training and demonstration
    cells are left out: ``make test`` runs every cell of the notebooks once already, under nbval."""
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    needed = {code[0], *stub_cells(nb), *(i for i in code if CHECK_CALL in nb.cells[i].source)}
    defines = {i: cells.defined_names(nb.cells[i].source) for i in code}
    todo = list(needed)
    while todo:
        j = todo.pop()
        for name in cells.used_names(nb.cells[j].source):
            definer = next((i for i in reversed(code) if i < j and name in defines[i]), None)
            if definer is not None and definer not in needed:
                needed.add(definer)
                todo.append(definer)
    return needed


@dataclass
class PartByPartRun:
    """A student notebook run top to bottom in one kernel, each part filled in when its stub stops the run.

    Cells run as the handout has them (with ``select``, only the :func:`needed_cells`). When a
    cell fails with a ``NotImplementedError`` naming a part whose stub cells have run (a
    self-check, or code calling the stub), the part is filled in (its cells from ``filled``
    run) and the failing cell runs again. Until the first such failure the run is the
    untouched handout's; after the last, the filled-in handout's. ``outcomes`` maps a cell
    index to its executions' outputs.
    """

    student: nbformat.NotebookNode
    filled: nbformat.NotebookNode
    cwd: Path
    env: dict[str, str] | None = None
    select: bool = False
    first_error: tuple[int, nbformat.NotebookNode] | None = None
    stub_failures: list[tuple[int, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    final_outputs: dict[int, list] = field(default_factory=dict)
    probe: list = field(default_factory=list)

    def execute(self, client: NotebookClient, index: int, source: str) -> tuple[list, nbformat.NotebookNode | None]:
        cell = new_code_cell(source)
        self.student.cells[index] = cell  # nbclient files outputs by cell index
        client.execute_cell(cell, index)
        return cell.outputs, next((out for out in cell.outputs if out.output_type == "error"), None)

    def run(self) -> PartByPartRun:
        parts = cell_parts(self.student)
        stubbed_cells = set(stub_cells(self.student))
        pending: dict[str, list[int]] = {}  # part -> its stub cells that ran as stubs
        original = list(self.student.cells)
        client = NotebookClient(
            self.student,
            timeout=600,
            kernel_name="python3",
            allow_errors=True,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
            resources={"metadata": {"path": str(self.cwd)}},
        )
        try:
            with client.setup_kernel(**({"env": self.env} if self.env else {})):
                self.student.cells.append(new_code_cell())
                probe_out, _ = self.execute(
                    client, len(original), "import os, utils\nprint(os.getcwd())\nprint(utils.__file__)"
                )
                self.student.cells.pop()
                self.probe = probe_out[0].text.split("\n")[:2] if probe_out else []
                selected = needed_cells(self.student) if self.select else None
                for index, cell in enumerate(original):
                    if cell.cell_type != "code" or (selected is not None and index not in selected):
                        continue
                    outputs, error = self.execute(client, index, cell.source)
                    if index in stubbed_cells:
                        pending.setdefault(parts[index], []).append(index)
                    if error is not None and self.first_error is None:
                        self.first_error = (index, error)
                    named = PART_NAMED_RE.search(error.evalue) if error is not None else None
                    if error is not None and error.ename == "NotImplementedError" and named and named[1] in pending:
                        part = named[1]
                        self.stub_failures.append((index, part))
                        for stub in pending.pop(part):
                            _, stub_error = self.execute(client, stub, self.filled.cells[stub].source)
                            if stub_error is not None:
                                self.problems.append(f"cell {stub}: the filled-in {part} raised {describe(stub_error)}")
                        outputs, error = self.execute(client, index, cell.source)
                    elif CHECK_CALL in cell.source and parts[index] in pending and error is None:
                        self.problems.append(f"cell {index}: the {parts[index]} self-check passed on a stub")
                    if error is not None:
                        self.problems.append(f"cell {index} ({parts[index]}): {describe(error)}")
                    self.final_outputs[index] = outputs
        finally:
            self.student.cells[:] = original
        self.problems.extend(
            f"part {part}: no cell failed on its stub (cells {cells})" for part, cells in pending.items()
        )
        return self


def describe(error) -> str:
    return f"{error.ename}: {error.evalue}"


def first_error_problems(student: nbformat.NotebookNode, first_error: tuple[int, object] | None) -> list[str]:
    """Why the first error of a run of the untouched handout is not its first stub's (empty list: it is)."""
    stubs = stub_cells(student)
    if not stubs:
        return ["the student notebook has no stub"]
    first_stub = stubs[0]
    part = cell_parts(student)[first_stub]
    if first_error is None:
        return [f"no cell raised, expected a NotImplementedError naming Q{part}"]
    index, error = first_error
    if index < first_stub:
        return [f"cell {index} (before the first stub, cell {first_stub}) raised {describe(error)}"]
    if error.ename != "NotImplementedError" or not re.search(rf"\bQ{re.escape(part)}\b", error.evalue):
        return [f"cell {index} raised {describe(error)}, expected a NotImplementedError naming Q{part}"]
    return []


def unticked_checks(run: PartByPartRun) -> list[str]:
    """Self-check cells whose last run printed no ✓ line."""
    problems = []
    for index, outputs in run.final_outputs.items():
        if CHECK_CALL not in run.student.cells[index].source:
            continue
        text = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
        if not any(line.startswith("✓") for line in text.split("\n")):
            problems.append(f"cell {index}: the self-check printed no ✓ line (output: {text.strip()[:200]!r})")
    return problems


def test_needed_cells_leave_out_training_and_keep_what_the_checks_and_stubs_read():
    notebook = new_notebook(
        cells=[
            new_raw_cell("---\ntitle: T\n---"),
            new_code_cell("import math\nfrom utils import checks"),
            new_markdown_cell("## 1.1 A part"),
            new_code_cell("SCALE = 3\n\ndef helper(x):\n    return x * SCALE"),
            new_code_cell('def f(x):\n    raise NotImplementedError("Q1.1: f is not written yet")'),
            new_code_cell("checks.check_f(f, helper)"),
            new_code_cell("model = train_for_an_hour(f)\nprint(math.pi)"),
            new_code_cell("unused = helper(2)"),
        ]
    )
    assert needed_cells(notebook) == {1, 3, 4, 5}


def test_part_by_part_run_of_a_synthetic_handout(tmp_path):
    """The run helper on a notebook with a known outcome (fast: no torch), and on broken ones."""
    root = synthetic_repo(tmp_path)
    folder = ms.build(tmp_path / "out", root=root)
    student = nbformat.read(folder / "notebooks" / "hw08-q01.ipynb", as_version=4)
    filled = nbformat.read(root / "notebooks" / "hw08-q01.ipynb", as_version=4)
    run = PartByPartRun(student, filled, folder / "notebooks").run()
    assert run.probe[0] == str(folder / "notebooks")  # the kernel's working folder
    assert first_error_problems(student, run.first_error) == []
    assert run.first_error[0] == 5 and "Q1.1 is not finished" in run.first_error[1].evalue
    assert run.stub_failures == [(5, "1.1"), (8, "1.2")]
    assert run.problems == [] and unticked_checks(run) == []
    assert student.cells[4].source.startswith("def add_one(x):\n    raise")  # the notebook is left as it was

    student.cells[8].source = "print('no check here')  # checks.check_double"  # a check that never calls the stub
    student.cells.insert(3, new_code_cell("undefined_name"))
    filled.cells.insert(3, new_code_cell("undefined_name"))
    run = PartByPartRun(student, filled, folder / "notebooks").run()
    assert "before the first stub" in first_error_problems(student, run.first_error)[0]
    assert any("NameError" in p for p in run.problems)
    assert any(p.startswith("part 1.2: no cell failed on its stub") for p in run.problems)
    assert unticked_checks(run) == ["cell 9: the self-check printed no ✓ line (output: 'no check here')"]


# --------------------------------------------------------------------------- the handout stands alone


def student_visible_lines(text: str) -> list[str]:
    """The lines of a Quarto page a student sees: blocks shown only to the solution profile are dropped."""
    lines, hidden_stack = [], []
    for line in text.split("\n"):
        fence = re.match(r"^(:{3,})\s*(\{.*\}|\S.*)?\s*$", line)
        if fence and fence.group(2):
            attrs = fence.group(2)
            profile = re.search(r'(when|unless)-profile="([^"]+)"', attrs)
            hidden = bool(profile) and (
                ("content-visible" in attrs and (profile[1] == "when") != (profile[2] == "student"))
                or ("content-hidden" in attrs and (profile[1] == "when") == (profile[2] == "student"))
            )
            hidden_stack.append(hidden)
            continue
        if fence and hidden_stack:
            hidden_stack.pop()
            continue
        if not any(hidden_stack):
            lines.append(line)
    return lines


def make_commands(text: str) -> list[str]:
    """The ``make ...`` commands of a page's code: inline code spans and lines of fenced code blocks."""
    commands, in_block = [], False
    lines = student_visible_lines(text)
    for line in lines:
        if line.lstrip().startswith("```"):
            in_block = not in_block
            continue
        if in_block:
            command = line.split("#", 1)[0].strip()
            if command.startswith("make ") or command == "make":
                commands.append(command)
    for span in re.findall(r"`([^`\n]+)`", "\n".join(lines)):
        if span.strip().startswith("make ") or span.strip() == "make":
            commands.append(span.strip())
    return commands


def make_targets(command: str) -> list[str]:
    """The targets of one ``make`` command line (variables and options dropped; ``help`` if none)."""
    words = re.split(r"\s*(?:&&|\|\||;|\|)\s*", command)[0].split()[1:]
    targets = [w for w in words if "=" not in w and not w.startswith("-")]
    return targets or ["help"]


def test_make_commands_are_read_from_code_only():
    page = src(
        "To make sure it works, run `make test DEVICE=cpu` or `make`.",
        '::: {.content-visible when-profile="solution"}',
        "Instructors: `make student`.",
        ":::",
        '::: {.content-hidden when-profile="solution"}',
        "Students: `make lab`.",
        ":::",
        "```bash",
        "make -j2 run PYTHON=python3.11   # comment: make site",
        "cd notebooks && jupyter lab",
        "```",
    )
    commands = make_commands(page)
    assert sorted(t for c in commands for t in make_targets(c)) == ["help", "lab", "run", "test"]


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    return ms.build(tmp_path_factory.mktemp("dist"))


@pytest.mark.parametrize("page", STUDENT_PAGES)
def test_every_make_target_a_student_page_names_is_in_the_handout_makefile(handout, page):
    targets = sorted({t for c in make_commands((ROOT / page).read_text(encoding="utf-8")) for t in make_targets(c)})
    missing = [t for t in targets if make_dry_run(handout, t).returncode != 0]
    assert not missing, (
        f"{page} tells students to run `make {'`, `make '.join(missing)}`, which the handout's Makefile "
        f"(tools/student_Makefile) does not have; its targets: {handout_targets(handout)}"
    )


def handout_targets(handout: Path) -> list[str]:
    text = (handout / "Makefile").read_text()
    return sorted(set(re.findall(r"^([a-z][\w-]*)\s*:(?!=)", text, re.MULTILINE)))


def test_student_makefile_targets_and_options(handout):
    assert {"help", "install", "data", "lab", "test"} <= set(handout_targets(handout))
    assert make_dry_run(handout, "no-such-target").returncode != 0  # the page test above can fail
    cpu = make_dry_run(handout, "install", "TORCH=cpu")
    default = make_dry_run(handout, "install", "TORCH=default")
    assert cpu.returncode == 0 and "--index-url https://download.pytorch.org/whl/cpu" in cpu.stdout
    assert default.returncode == 0 and "--index-url" not in default.stdout and "pip install -e ." in default.stdout
    own = make_dry_run(handout, "test", "PY=python", "NOTEBOOKS=notebooks/hw08-q01.ipynb")
    assert own.stdout.strip().split("\n")[-1] == "python -m pytest notebooks/hw08-q01.ipynb"
    assert ".venv" not in own.stdout
    lab = make_dry_run(handout, "lab", "PY=python")
    root = " --allow-root" if os.getuid() == 0 else ""  # Jupyter refuses root without it
    assert lab.stdout.strip().split("\n")[-1] == f"python -m jupyter lab --notebook-dir=.{root}"


def test_make_test_in_the_handout_runs_a_notebook_and_reports_its_stub(handout):
    """The handout's own pytest set-up (pyproject.toml, nbval) works there, without this repository."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(PYTHONPATH=str(handout), HW08_DATA=os.environ.get("HW08_DATA", str(ROOT / "data")))
    result = subprocess.run(
        ["make", "test", f"PY={sys.executable}", "NOTEBOOKS=notebooks/hw08-q01.ipynb"],
        cwd=handout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)  # no colours
    assert result.returncode != 0, output[-3000:]  # the untouched handout fails ...
    assert f"rootdir: {handout}" in output, output[-3000:]  # ... under its own pyproject.toml ...
    assert re.search(r"NotImplementedError: Q1\.1\b", output), output[-3000:]  # ... at the first part
    assert re.search(r"\d+ failed, \d+ passed", output), output[-3000:]


def test_student_makefile_installs_the_torch_pyproject_asks_for():
    with open(ROOT / "pyproject.toml", "rb") as handle:
        dependencies = tomllib.load(handle)["project"]["dependencies"]
    wanted = sorted(spec for spec in dependencies if re.match(r"torch(vision)?\b", spec))
    makefile = (ROOT / "tools" / "student_Makefile").read_text()
    line = re.search(r"^TORCH_REQUIREMENTS\s*:=\s*(.*)$", makefile, re.MULTILINE)
    assert line and sorted(re.findall(r'"([^"]+)"', line[1])) == wanted
    readme = (ROOT / "tools" / "student_README.md").read_text(encoding="utf-8")
    assert " ".join(f'"{spec}"' for spec in sorted(wanted)) in readme


def test_student_readme_names_the_required_python():
    """The handout README's set-up must not drift from pyproject.toml's requires-python."""
    with open(ROOT / "pyproject.toml", "rb") as handle:
        requires = tomllib.load(handle)["project"]["requires-python"]
    minimum = re.fullmatch(r">=\s*(\d+\.\d+)", requires.strip())
    assert minimum, f"unexpected requires-python {requires!r}"
    readme = (ROOT / "tools" / "student_README.md").read_text(encoding="utf-8")
    assert f"Python {minimum.group(1)} or newer" in readme


def test_student_readme_covers_install_work_check_and_hand_in():
    readme = (ROOT / "tools" / "student_README.md").read_text(encoding="utf-8")
    for needed in (
        "conda env create -f environment.yml",  # conda
        "pip install -e .",  # pip
        "--index-url https://download.pytorch.org/whl/cpu",  # Linux CPU-only wheels
        "about 200 MB instead of about 6 GB",
        'CONDA_OVERRIDE_CUDA=""',  # conda's CPU build
        "macOS and Windows",
        "python -m utils",  # the data
        "jupyter lab",  # the notebooks
        "make test",  # the self-checks, top to bottom
        "Restart",
        ms.ANSWER_PLACEHOLDER,
    ):
        assert needed in readme, f"the student README does not say {needed!r}"
    for path in REAL_NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme, f"the student README does not say to hand in {path.name}"


# --------------------------------------------------------------------------- the real handout


def test_real_handout_has_every_file_and_no_scratch(handout):
    names = {p.relative_to(handout).as_posix() for p in handout.rglob("*") if p.is_file()}
    tracked = set(
        subprocess.run(["git", "-C", str(ROOT), "ls-files"], check=True, capture_output=True, text=True).stdout.split()
    )
    for path in REAL_NOTEBOOKS:
        assert f"notebooks/{path.name}" in names and f"{path.stem}.md" in names
    expected_utils = {name for name in tracked if name.startswith("utils/") and name.endswith(".py")}
    assert {n for n in names if n.startswith("utils/")} == expected_utils
    assert {"README.md", "Makefile", "environment.yml", "pyproject.toml"} <= names
    assert not [n for n in names if "__pycache__" in n or ".ipynb_checkpoints" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith(("tests/", "tools/", ".ci/", ".github/"))]


def test_no_solution_line_appears_in_any_student_file(handout):
    secret, given = set(), set()
    sources = [(name, ROOT / name) for name in ms.shipped_sources(ROOT)]
    for name, path in sources:
        texts = (
            [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
            if name.endswith(".ipynb")
            else [path.read_text(encoding="utf-8")]
        )
        for text in texts:
            inside, in_region = [], False
            for line in text.split("\n"):
                if line.strip() in (ms.BEGIN, ms.END):
                    in_region = line.strip() == ms.BEGIN
                elif in_region and not ms.KEEP_RE.search(line):
                    inside.append(line.strip())
                else:
                    given.add(ms.KEEP_RE.sub("", line).strip())
            secret.update(inside)
    secret -= given | {""}
    assert secret, "the instructor notebooks hold no solution lines"
    for name, _ in sources:
        text = (handout / name).read_text(encoding="utf-8")
        assert not ms.MARKER_LIKE_RE.search(text), f"{name}: a solution marker shipped"
        lines = (
            [line for c in nbformat.reads(text, as_version=4).cells for line in c.source.split("\n")]
            if name.endswith(".ipynb")
            else text.split("\n")
        )
        leaked = sorted({line.strip() for line in lines if line.strip() in secret})
        assert not leaked, f"{name}: solution lines in the handout: {leaked[:5]}"


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
        if ms.ANSWER_TAG in before.get("metadata", {}).get("tags", []):
            assert after.source == ms.ANSWER_PLACEHOLDER, f"{path.name}, cell {index}: an answer cell shipped"
    assert total, f"{path.name} has no solution region"
    assert all(
        not cell.get("outputs") and cell.get("execution_count") is None
        for cell in student.cells
        if cell.cell_type == "code"
    )


@pytest.fixture(scope="module")
def part_by_part(tmp_path_factory):
    """``part_by_part(name)``: the PartByPartRun of a real handout notebook (run once, shared by the tests).

    The kernel runs in the handout's notebooks/ folder and imports the handout's own
    ``utils`` (PYTHONPATH), reading the data from the repository's data folder. A kernel
    cannot swap a module it has imported, so ``utils`` files with solution regions get
    their instructor version before the runs; notebook parts are filled in one by one.
    """
    handout = ms.build(tmp_path_factory.mktemp("run"))
    for name in ms.shipped_sources(ROOT):
        if name.endswith(".py") and (handout / name).read_bytes() != (ROOT / name).read_bytes():
            shutil.copyfile(ROOT / name, handout / name)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(handout), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("HW08_DATA", str(ROOT / "data"))
    runs: dict[str, PartByPartRun] = {}

    def get(name: str) -> PartByPartRun:
        if name not in runs:
            student = nbformat.read(handout / "notebooks" / name, as_version=4)
            filled = nbformat.read(ROOT / "notebooks" / name, as_version=4)
            assert [c.cell_type for c in student.cells] == [c.cell_type for c in filled.cells]
            runs[name] = PartByPartRun(student, filled, handout / "notebooks", env, select=True).run()
        return runs[name]

    return get


@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=[p.name for p in REAL_NOTEBOOKS])
def test_untouched_handout_stops_first_at_its_first_part(part_by_part, path):
    run = part_by_part(path.name)
    problems = first_error_problems(run.student, run.first_error)
    assert not problems, f"{path.name}: " + "; ".join(problems)
    cwd, utils_file = run.probe
    assert Path(cwd) == run.cwd and Path(utils_file).is_relative_to(run.cwd.parent), (
        f"the kernel ran in {cwd} and imported {utils_file}, not the handout's own utils"
    )


@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=[p.name for p in REAL_NOTEBOOKS])
def test_every_stubbed_part_stops_the_run_naming_itself(part_by_part, path):
    run = part_by_part(path.name)
    parts = cell_parts(run.student)
    stubbed = list(dict.fromkeys(parts[i] for i in stub_cells(run.student)))
    assert list(dict.fromkeys(part for _, part in run.stub_failures)) == stubbed, (
        f"{path.name}: parts whose stub stopped the run, in order: {run.stub_failures}; stubbed parts: {stubbed}"
    )
    for index, part in run.stub_failures:
        assert parts[index] == part, f"{path.name}, cell {index} (part {parts[index]}) failed naming Q{part}"


@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=[p.name for p in REAL_NOTEBOOKS])
def test_handout_with_solutions_filled_in_passes_every_self_check(part_by_part, path):
    run = part_by_part(path.name)
    problems = run.problems + unticked_checks(run)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


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


def test_make_student_target_runs_the_tool():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^student:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe and "tools/make_student.py --output dist" in recipe[1]


def test_output_that_is_a_file_is_refused_by_name(tmp_path, capsys):
    root = synthetic_repo(tmp_path)
    taken = tmp_path / "taken.zip"
    taken.write_text("a file of the user's")
    for output in (taken, taken / "inside"):
        with pytest.raises(SystemExit, match=r"is a file, not a folder\. --output takes a folder"):
            ms.build(output, root=root)
    assert taken.read_text() == "a file of the user's"


def test_a_crlf_marker_line_is_named_as_such(tmp_path):
    source = src("def f():", "    ### BEGIN SOLUTION\r", "    return 1", "    ### END SOLUTION", "")
    with pytest.raises(ms.SolutionMarkerError, match=r"line 2: .*carriage return \(\\r: Windows line endings, CRLF\)"):
        ms.replace_solutions(source, "1.1", "nb, cell 3")


def test_the_guide_ships(handout):
    assert (handout / "hw08.qmd").read_bytes() == (ROOT / "hw08.qmd").read_bytes()

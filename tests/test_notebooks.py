"""The committed notebooks follow the project's conventions.

Outputs and execution counts: the notebook is what the pre-commit hook leaves
(tools/strip_notebooks.py: nbstripout, then the counts nbval needs), and the cells whose
output it keeps (tag ``keep_output``) are exactly the cells nbval compares
(``# NBVAL_CHECK_OUTPUT``). Then the front matter, the setup cell and the metadata, which
nbstripout does not check.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
_spec = importlib.util.spec_from_file_location("strip_notebooks", ROOT / "tools" / "strip_notebooks.py")
strip_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(strip_notebooks)
CHECK_OUTPUT = "# NBVAL_CHECK_OUTPUT"
KEEP_OUTPUT = "keep_output"


def notebook_ids() -> list[str]:
    return [path.name for path in NOTEBOOKS]


def cells_the_hook_changes(path: Path) -> list[int]:
    """Indices of the cells that the pre-commit hook (tools/strip_notebooks.py) would change."""
    stripped = nbformat.reads(strip_notebooks.cleaned(path), as_version=nbformat.NO_CONVERT)
    committed = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    assert len(stripped.cells) == len(committed.cells), f"the hook dropped cells of {path.name}"
    return [index for index, (a, b) in enumerate(zip(committed.cells, stripped.cells, strict=True)) if a != b]


def mismatched_keep_output(notebook: nbformat.NotebookNode) -> list[int]:
    """Indices of code cells marked ``# NBVAL_CHECK_OUTPUT`` without the ``keep_output`` tag, or the reverse."""
    return [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        and (CHECK_OUTPUT in cell.source) != (KEEP_OUTPUT in cell.get("metadata", {}).get("tags", []))
    ]


def front_matter(notebook: nbformat.NotebookNode) -> dict:
    """The YAML between the ``---`` lines of the first (raw) cell, or ``{}``."""
    if not notebook.cells or notebook.cells[0].cell_type != "raw":
        return {}
    lines = notebook.cells[0].source.strip().splitlines()
    if len(lines) < 2 or lines[0].strip() != "---" or "---" not in (line.strip() for line in lines[1:]):
        return {}
    end = [line.strip() for line in lines].index("---", 1)
    return yaml.safe_load("\n".join(lines[1:end])) or {}


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb files"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=notebook_ids())
def test_committed_as_the_pre_commit_hook_leaves_it(path: Path):
    nbformat.validate(nbformat.read(path, as_version=4))
    changed = cells_the_hook_changes(path)
    assert not changed, (
        f"{path.name}: cells {changed} carry outputs, execution counts or editor metadata. "
        "Run `make lint` (or `pre-commit run strip-notebooks --all-files`), and `pre-commit install` "
        f"once so every commit strips them; only cells tagged {KEEP_OUTPUT!r} (the {CHECK_OUTPUT!r} "
        "cells) keep their output."
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=notebook_ids())
def test_checked_cells_and_kept_outputs_are_the_same_cells(path: Path):
    mismatched = mismatched_keep_output(nbformat.read(path, as_version=4))
    assert not mismatched, (
        f"{path.name}: cells {mismatched} have {CHECK_OUTPUT!r} without the {KEEP_OUTPUT!r} tag or the tag "
        f"without the marker. nbval compares the output of the marked cells, so nbstripout must keep it: "
        f"add the tag (JupyterLab: Property Inspector > Cell Tags) to every marked cell, and only to those."
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=notebook_ids())
def test_starts_with_front_matter_and_setup_cell(path: Path):
    notebook = nbformat.read(path, as_version=4)
    assert front_matter(notebook).get("title"), (
        f"{path.name}: the first cell must be a raw cell with YAML front matter holding a title"
    )
    setup = next(cell for cell in notebook.cells[1:] if cell.cell_type == "code")
    for needed in ("%matplotlib inline", "seed_everything(", "get_device()"):
        assert needed in setup.source, f"{path.name}: the first code cell (setup) lacks {needed!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=notebook_ids())
def test_metadata_is_clean(path: Path):
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3", (
        f"{path.name}: kernelspec must be python3 (the project's environment), not a personal kernel"
    )
    allowed = {"kernelspec", "language_info", "jupytext"}
    extra = set(notebook.metadata) - allowed
    assert not extra, f"{path.name}: notebook metadata has editor leftovers {sorted(extra)}"
    for index, cell in enumerate(notebook.cells):
        leftovers = set(cell.get("metadata", {})) - {"tags"}
        assert not leftovers, f"{path.name}: cell {index} metadata has {sorted(leftovers)}"


def test_the_output_checks_can_fail(tmp_path):
    """An executed cell is reported, a tagged checked cell keeps its output, a stray tag is caught."""
    stream = nbformat.v4.new_output("stream", name="stdout", text="2\n")
    executed = nbformat.v4.new_code_cell("print(1 + 1)", execution_count=1, outputs=[stream])
    checked = nbformat.v4.new_code_cell(f"{CHECK_OUTPUT}\nprint(2)", execution_count=2, outputs=[stream])
    checked.metadata.tags = [KEEP_OUTPUT]
    untagged = nbformat.v4.new_code_cell(f"{CHECK_OUTPUT}\nprint(3)")
    stray_tag = nbformat.v4.new_code_cell("print(4)")
    stray_tag.metadata.tags = [KEEP_OUTPUT]
    notebook = nbformat.v4.new_notebook(cells=[executed, checked, untagged, stray_tag])
    path = tmp_path / "executed.ipynb"
    nbformat.write(notebook, path)
    assert cells_the_hook_changes(path) == [0, 3]  # 3: a tagged cell gets its count
    assert mismatched_keep_output(notebook) == [2, 3]

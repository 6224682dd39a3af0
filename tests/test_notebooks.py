"""The committed notebooks follow the project's conventions (DEVELOPERS.md, "Notebook conventions")."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import yaml

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
CHECK_OUTPUT = "# NBVAL_CHECK_OUTPUT"


def notebook_ids() -> list[str]:
    return [path.name for path in NOTEBOOKS]


def dirty_cells(notebook: nbformat.NotebookNode) -> list[int]:
    """Indices of code cells that carry outputs or an execution count without being checked cells."""
    dirty = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or CHECK_OUTPUT in cell.source:
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            dirty.append(index)
    return dirty


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
def test_committed_without_outputs(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    dirty = dirty_cells(notebook)
    assert not dirty, (
        f"{path.name}: code cells {dirty} carry outputs or execution counts. Clear them "
        "(JupyterLab: Edit > Clear Outputs of All Cells) before committing; only cells marked "
        f"{CHECK_OUTPUT!r} keep their output."
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


def test_dirty_cells_detects_outputs():
    """The cleanliness check itself can fail: an executed cell is reported, a checked cell is not."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("1 + 1", execution_count=1),
        nbformat.v4.new_code_cell(f"{CHECK_OUTPUT}\n2", execution_count=2),
        nbformat.v4.new_code_cell("3"),
    ]
    notebook.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    assert dirty_cells(notebook) == [0]

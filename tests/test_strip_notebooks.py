"""tools/strip_notebooks.py: nbstripout, plus the execution counts nbval needs on the checked cells."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("strip_notebooks", ROOT / "tools" / "strip_notebooks.py")
strip_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(strip_notebooks)


def executed_notebook(path: Path) -> Path:
    """A markdown cell and three code cells as saved after a run; the third is a checked cell."""
    stream = nbformat.v4.new_output("stream", name="stdout", text="6\n")
    result = nbformat.v4.new_output("execute_result", {"text/plain": "6"}, execution_count=9)
    cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("x = 6", execution_count=7),
        nbformat.v4.new_code_cell("print(x)", execution_count=8, outputs=[stream]),
        nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nx", execution_count=9, outputs=[result]),
    ]
    cells[2].metadata["scrolled"] = True
    cells[3].metadata["tags"] = ["keep_output"]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["widgets"] = {"state": {}}
    nbformat.write(notebook, path)
    return path


def test_outputs_counts_and_metadata_go_and_the_checked_cell_keeps_output_and_its_fresh_count(tmp_path):
    path = executed_notebook(tmp_path / "run.ipynb")
    cleaned = nbformat.reads(strip_notebooks.cleaned(path), as_version=4)
    markdown, assign, printed, checked = cleaned.cells
    assert assign.execution_count is None and printed.execution_count is None and printed.outputs == []
    assert printed.metadata == {} and "widgets" not in cleaned.metadata
    assert checked.execution_count == 3, "the checked cell is the third code cell"
    assert checked.outputs[0]["data"] == {"text/plain": "6"} and checked.outputs[0]["execution_count"] == 3
    assert markdown.source == "# Title" and [cell.id for cell in cleaned.cells] == [
        cell.id for cell in nbformat.read(path, as_version=4).cells
    ]


def test_verify_reports_without_writing_then_a_run_cleans_once(tmp_path, capsys):
    path = executed_notebook(tmp_path / "run.ipynb")
    before = path.read_text()
    assert strip_notebooks.main(["--verify", str(path)]) == 1
    assert path.read_text() == before and "would strip" in capsys.readouterr().out
    assert strip_notebooks.main([str(path)]) == 1
    assert path.read_text() == strip_notebooks.cleaned(path)
    assert strip_notebooks.main([str(path)]) == 0, "a second run must find nothing to change"
    assert strip_notebooks.main(["--verify", str(path)]) == 0

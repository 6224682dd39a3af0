"""tools/run_notebooks.py, the executor behind `make run`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "tools" / "run_notebooks.py")
run_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_notebooks)


def write_notebook(path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(notebook, path)
    return path


def test_runs_notebooks_in_their_folder_and_reports_failures(tmp_path, capsys):
    good = write_notebook(tmp_path / "good.ipynb", "import os\nprint(os.getcwd())")
    bad = write_notebook(tmp_path / "bad.ipynb", "1 / 0")
    status = run_notebooks.main([str(good), str(bad), "--output", str(tmp_path / "_build")])
    out = capsys.readouterr().out
    assert status == 1
    assert any(line.startswith("good.ipynb") and line.endswith("ok") for line in out.splitlines())
    assert any(
        line.startswith("bad.ipynb") and "FAILED" in line and "ZeroDivisionError" in line for line in out.splitlines()
    )
    executed = nbformat.read(tmp_path / "_build" / "good.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == str(tmp_path)
    assert (tmp_path / "_build" / "good.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "_build" / "bad.html").exists(), "a failed notebook still gets its executed copy and page"


def test_page_is_titled_by_the_front_matter_which_is_not_shown(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_raw_cell('---\ntitle: "Question 9: Sorting"\nsubtitle: HW\n---'),
        nbformat.v4.new_markdown_cell("Some text"),
    ]
    page = run_notebooks.html_page(notebook, "hw08-q09")
    assert "<title>Question 9: Sorting</title>" in page
    assert "subtitle: HW" not in page and "Some text" in page
    assert len(notebook.cells) == 2, "the notebook itself keeps its front matter"
    untitled = nbformat.v4.new_notebook(cells=[nbformat.v4.new_raw_cell("plain raw text")])
    page = run_notebooks.html_page(untitled, "hw08-q09")
    assert "<title>hw08-q09</title>" in page and "plain raw text" in page

"""tools/run_notebooks.py, the executor behind `make run`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

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


class EchoClient:
    """Stands in for nbclient's NotebookClient: each cell's output is its own source (no kernel to start)."""

    def __init__(self, notebook, **kwargs):
        self.notebook = notebook

    def execute(self):
        for cell in self.notebook.cells:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=cell.source + "\n")]


def test_a_missing_or_invalid_notebook_is_reported_and_the_others_still_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(run_notebooks, "NotebookClient", EchoClient)
    missing = tmp_path / "missing.ipynb"
    invalid = tmp_path / "invalid.ipynb"
    invalid.write_text("{ this is not JSON")
    not_a_notebook = tmp_path / "list.ipynb"
    not_a_notebook.write_text("[1, 2, 3]")
    good = write_notebook(tmp_path / "good.ipynb", "ran")
    paths = [missing, invalid, not_a_notebook, good]
    status = run_notebooks.main([*map(str, paths), "--output", str(tmp_path / "_build")])
    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    for path in (missing, invalid, not_a_notebook):
        assert any(line.startswith(path.name) and "UNREADABLE: " in line for line in lines), lines
    assert any(line.startswith("good.ipynb") and line.endswith("ok") for line in lines)
    assert lines[-1] == "1 ok, 0 failed, 3 unreadable of 4 notebooks"
    assert nbformat.read(tmp_path / "_build" / "good.ipynb", as_version=4).cells[0].outputs[0]["text"] == "ran\n"
    assert not (tmp_path / "_build" / "invalid.html").exists()


def test_notebooks_with_the_same_name_in_different_folders_do_not_collide(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(run_notebooks, "NotebookClient", EchoClient)
    first = tmp_path / "a" / "x.ipynb"
    second = tmp_path / "b" / "x.ipynb"
    for path in (first, second):
        path.parent.mkdir()
        write_notebook(path, path.parent.name)
    status = run_notebooks.main([str(first), str(second), "--output", str(tmp_path / "_build")])
    assert status == 0, capsys.readouterr().out
    for folder in ("a", "b"):
        executed = nbformat.read(tmp_path / "_build" / folder / "x.ipynb", as_version=4)
        assert executed.cells[0].outputs[0]["text"] == f"{folder}\n"
        assert (tmp_path / "_build" / folder / "x.html").is_file()


def test_outputs_of_the_default_notebooks_stay_flat(tmp_path):
    paths = [ROOT / "notebooks" / "hw08-q01.ipynb", ROOT / "notebooks" / "hw08-q02.ipynb"]
    assert run_notebooks.output_paths(paths, tmp_path) == {
        paths[0]: tmp_path / "hw08-q01.ipynb",
        paths[1]: tmp_path / "hw08-q02.ipynb",
    }


@pytest.mark.parametrize("timeout", ["-1", "0", "soon", "1.5"])
def test_a_bad_timeout_is_refused(tmp_path, capsys, timeout):
    with pytest.raises(SystemExit) as error:
        run_notebooks.main([str(tmp_path / "any.ipynb"), "--timeout", timeout])
    assert error.value.code == 2
    assert "--timeout" in capsys.readouterr().err


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


def test_a_hanging_cell_is_stopped_at_the_timeout_without_a_kernel_traceback(tmp_path, capfd):
    hanging = write_notebook(tmp_path / "hanging.ipynb", "x = 1", "import time\ntime.sleep(600)", "print('never')")
    status = run_notebooks.main([str(hanging), "--timeout", "2", "--output", str(tmp_path / "_build")])
    out, err = capfd.readouterr()  # the file descriptors: the kernel's own stderr too
    assert status == 1
    line = next(line for line in out.splitlines() if line.startswith("hanging.ipynb"))
    assert "FAILED: cell 1 was still running after the --timeout of 2 s" in line
    assert "Traceback" not in out + err and "ZMQError" not in out + err
    executed = nbformat.read(tmp_path / "_build" / "hanging.ipynb", as_version=4)
    assert executed.cells[0].execution_count == 1 and not executed.cells[2].outputs

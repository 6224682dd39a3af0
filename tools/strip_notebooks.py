"""Clean notebooks for a commit: nbstripout, keeping what nbval needs (the pre-commit hook).

nbstripout removes outputs, execution counts and editor metadata; cells tagged ``keep_output``
(the cells marked ``# NBVAL_CHECK_OUTPUT``) keep their outputs. nbval also needs those cells'
execution count: it fails a cell that has outputs and no count ("Unrun reference cell has
outputs"). nbstripout keeps counts for all cells or none, so this script gives each tagged
cell back a count, the one a fresh top-to-bottom run gives it (its number among the code
cells): the same whatever run the outputs came from.

    python tools/strip_notebooks.py [--verify] notebooks/*.ipynb

Without ``--verify`` it rewrites each notebook that changes; with it, it only reports them.
Either way it names them and exits with status 1 if any changed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import nbformat

KEEP_OUTPUT = "keep_output"
#: nbstripout's command line: cell ids stay (the handout and the site refer to cells by id).
NBSTRIPOUT = [sys.executable, "-m", "nbstripout", "--keep-id"]


def nbstripout(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` as nbstripout leaves it (read, not written)."""
    result = subprocess.run([*NBSTRIPOUT, "--textconv", str(path)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"nbstripout failed on {path}: {result.stderr.strip()}")
    return nbformat.reads(result.stdout, as_version=nbformat.NO_CONVERT)


def number_kept_cells(notebook: nbformat.NotebookNode) -> None:
    """Give each ``keep_output`` code cell (and its results) its number among the code cells."""
    code_cells = (cell for cell in notebook.cells if cell.cell_type == "code")
    for count, cell in enumerate(code_cells, start=1):
        if KEEP_OUTPUT in cell.get("metadata", {}).get("tags", []):
            cell.execution_count = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output.execution_count = count


def cleaned(path: Path) -> str:
    """The text the notebook at ``path`` should be committed with."""
    notebook = nbstripout(path)
    number_kept_cells(notebook)
    return nbformat.writes(notebook) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verify", action="store_true", help="only report the notebooks that would change")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    changed = []
    for path in args.notebooks:
        text = cleaned(path)
        if text != path.read_text(encoding="utf-8"):
            changed.append(path)
            if not args.verify:
                path.write_text(text, encoding="utf-8")
    for path in changed:
        print(f"{path}: {'would strip' if args.verify else 'stripped'} outputs, counts or metadata")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())

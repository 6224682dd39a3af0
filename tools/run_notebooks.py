"""Execute every notebook headless and write executed copies and HTML pages (`make run`).

Each notebook runs from its own folder (as in JupyterLab) with nbclient, on the device
``HW08_DEVICE`` names (or the best one present). Every notebook is run, whatever happened to
the others; one line each: name, seconds, and ``ok``, ``FAILED: <error>`` or
``UNREADABLE: <why>``. The outputs keep the notebooks' folders below their common parent,
so two notebooks of the same name never overwrite each other's results. The exit status is
non-zero if any notebook failed or could not be read.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from nbconvert import HTMLExporter

from utils.errors import first_line

ROOT = Path(__file__).resolve().parent.parent


def run_notebook(path: Path, output: Path, timeout: int) -> tuple[str, float, str]:
    """Execute ``path``; write the executed copy ``output`` (``.ipynb``) and its HTML page beside it.

    Returns ``(status, seconds, error)``: status ``"ok"``, ``"failed"`` (a cell raised, the
    kernel died or a cell ran past ``timeout`` seconds; what ran is still written) or
    ``"unreadable"`` (missing, not JSON, not a notebook; nothing is written).
    """
    start = time.perf_counter()
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001 -- OSError, JSON errors, nbformat's validation errors...
        return "unreadable", time.perf_counter() - start, first_line(exc)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        # quiet the kernel's start-up chatter (its TCP transport warning), keep real errors
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(path.parent)}},
        # The executed copy is complete when the last cell returns: stop the kernel at once. A graceful
        # shutdown would wait for a cell still running after a timeout, and the kernel would then print a
        # traceback (ZMQError) for the reply it can no longer send.
        shutdown_kernel="immediate",
    )
    running = [-1]
    client.on_cell_execute = lambda cell, cell_index: running.__setitem__(0, cell_index)
    error = ""
    try:
        client.execute()
    except CellTimeoutError:
        error = (
            f"cell {running[0]} was still running after the --timeout of {timeout} s and was stopped "
            "(an endless loop, a wait for input, or a cell that needs a larger --timeout)"
        )
    except CellExecutionError as exc:
        error = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    except Exception as exc:  # noqa: BLE001 -- a dead kernel: still write what ran
        error = first_line(exc)
    seconds = time.perf_counter() - start
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, output)
        output.with_suffix(".html").write_text(html_page(notebook, path.stem), encoding="utf-8")
    except Exception as exc:  # noqa: BLE001 -- a full disk, an unwritable folder, an export error
        error = "; ".join(filter(None, [error, f"writing {output} failed: {first_line(exc)}"]))
    return ("failed" if error else "ok"), seconds, error


def output_paths(paths: list[Path], output: Path) -> dict[Path, Path]:
    """Where each notebook's executed copy goes: its path below the notebooks' common folder.

    ``notebooks/hw08-q01.ipynb`` -> ``<output>/hw08-q01.ipynb``; two notebooks of the same name in
    folders ``a`` and ``b`` keep those folders below ``<output>``, so neither overwrites the other.
    """
    common = Path(os.path.commonpath([path.parent for path in paths]))
    return {path: output / path.relative_to(common) for path in paths}


def positive_seconds(text: str) -> int:
    try:
        seconds = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"the timeout must be at least 1 second, got {seconds}")
    return seconds


def html_page(notebook: nbformat.NotebookNode, name: str) -> str:
    """The notebook as an HTML page titled by the ``title`` of its front matter (a raw first
    cell between ``---`` lines, for Quarto), which is not shown; else titled ``name``."""
    title, cells = name, notebook.cells
    if cells and cells[0].cell_type == "raw":
        lines = cells[0].source.strip().splitlines()
        if len(lines) > 1 and lines[0].strip() == "---" and lines[-1].strip() in ("---", "..."):
            front = yaml.safe_load("\n".join(lines[1:-1]))
            title = str(front.get("title", name)) if isinstance(front, dict) else name
            cells = cells[1:]
    page = nbformat.from_dict({**notebook, "cells": cells})
    body, _ = HTMLExporter().from_notebook_node(page, resources={"metadata": {"name": title}})
    return body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--output", type=Path, default=ROOT / "_build")
    parser.add_argument("--timeout", type=positive_seconds, default=600, help="seconds per cell (at least 1)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        print("no notebooks found in notebooks/", file=sys.stderr)
        return 1
    paths = list(dict.fromkeys(path.resolve() for path in paths))  # each notebook once
    outputs = output_paths(paths, args.output.resolve())
    width = max(len(str(outputs[path].relative_to(args.output.resolve()))) for path in paths) + 1
    print(f"HW08_DEVICE={os.environ.get('HW08_DEVICE', 'auto')}; writing to {args.output}/")
    counts = {"ok": 0, "failed": 0, "unreadable": 0}
    for path in paths:
        status, seconds, error = run_notebook(path, outputs[path], args.timeout)
        counts[status] += 1
        name = str(outputs[path].relative_to(args.output.resolve()))
        verdict = {"ok": "ok", "failed": f"FAILED: {error}", "unreadable": f"UNREADABLE: {error}"}[status]
        print(f"{name:<{width}} {seconds:7.1f} s  {verdict}", flush=True)
    print(", ".join(f"{count} {status}" for status, count in counts.items()), f"of {len(paths)} notebooks")
    return 0 if counts["ok"] == len(paths) else 1


if __name__ == "__main__":
    sys.exit(main())

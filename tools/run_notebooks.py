"""Execute every notebook headless and write executed copies and HTML pages (`make run`).

Each notebook runs from its own folder (as in JupyterLab) with nbclient, on the device
``HW08_DEVICE`` names (or the best one present). One line per notebook: name, seconds,
ok/failed. The exit status is non-zero if any notebook failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent


def run_notebook(path: Path, output: Path, timeout: int) -> tuple[bool, float, str]:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        # quiet the kernel's start-up chatter (its TCP transport warning), keep real errors
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    error = ""
    try:
        client.execute()
    except CellExecutionError as exc:
        error = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    except Exception as exc:  # noqa: BLE001 (a dead kernel or a timeout: still write what ran)
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    output.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, output / path.name)
    body, _ = HTMLExporter().from_notebook_node(notebook)
    (output / path.with_suffix(".html").name).write_text(body, encoding="utf-8")
    return not error, seconds, error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--output", type=Path, default=ROOT / "_build")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        print("no notebooks found in notebooks/", file=sys.stderr)
        return 1
    print(f"HW08_DEVICE={os.environ.get('HW08_DEVICE', 'auto')}; writing to {args.output}/")
    failures = 0
    for path in paths:
        ok, seconds, error = run_notebook(path.resolve(), args.output, args.timeout)
        failures += not ok
        print(f"{path.name:<20} {seconds:7.1f} s  {'ok' if ok else 'FAILED: ' + error}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

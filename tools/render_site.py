"""Render the Quarto site of one profile from a staged copy (`make site`, `make site-student`).

Quarto renders a website in place, and would write executed notebooks, ``_freeze/`` and the
guide's saved files into the sources. So the pages are copied into
``_build/site-<profile>/`` with the notebooks the site shows, rendered there, and the result
replaces ``_site/`` (solution) or ``_site-student/`` (student) only when the render succeeds:

* ``solution``: the executed copies ``_build/hw08-q0N.ipynb`` (written by nbval during
  ``make test``, or by ``make run``); they must be newer than their notebook. Their widget
  outputs (``utils.fit``'s progress bars) are left out: a static page cannot update them
  (their text says 0%), and showing them would need scripts from CDNs.
* ``student``: the handout's notebooks ``dist/student/notebooks/`` (``make student``),
  shown with their stubs and never executed; they and ``dist/hw08-student.zip`` are also
  staged in ``download/``, the files the student pages link to.

Only the guide's snippets run at render (with this Python, as ``QUARTO_PYTHON``); their
results (Quarto's ``_freeze/``) are kept in ``_build/site-freeze/`` for the next render of
either site, and reused while hw08.qmd is unchanged.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
BUILD = "_build"
PROFILES = ("solution", "student")
#: The files Quarto reads, at the top of the repository: configs, pages, the Markdown they
#: include (question statements, snippets such as _benchmark.md), filters and styles.
SITE_FILES = ("_quarto*.yml", "*.qmd", "*.md", "*.lua", "*.css")
#: The guide's executed results, shared by the renders of both sites.
FREEZE = "site-freeze"
#: Folder of the student site that holds the downloadable handout files.
DOWNLOADS = "download"
HANDOUT_ZIP = "dist/hw08-student.zip"


class SiteError(RuntimeError):
    """The site cannot be rendered: the message names what is missing and how to make it."""


def output_dir(profile: str, root: Path = ROOT) -> str:
    """The profile's ``project.output-dir`` (``_quarto-<profile>.yml``)."""
    config = yaml.safe_load((root / f"_quarto-{profile}.yml").read_text(encoding="utf-8")) or {}
    folder = (config.get("project") or {}).get("output-dir")
    if not folder or Path(folder).is_absolute() or ".." in Path(folder).parts:
        raise SiteError(f"_quarto-{profile}.yml must set project.output-dir to a folder name, e.g. _site")
    return folder


def source_notebooks(root: Path = ROOT) -> list[Path]:
    notebooks = sorted((root / "notebooks").glob("hw08-q*.ipynb"))
    if not notebooks:
        raise SiteError(f"no notebooks/hw08-q*.ipynb in {root}")
    return notebooks


def executed_notebooks(root: Path = ROOT) -> list[Path]:
    """The executed copy of each notebook, checked to be complete and newer than its source."""
    copies = []
    for source in source_notebooks(root):
        copy = root / BUILD / source.name
        if not copy.is_file():
            raise SiteError(f"{BUILD}/{source.name} does not exist: run `make run` (or `make site`, which runs it)")
        if copy.stat().st_mtime < source.stat().st_mtime:
            raise SiteError(f"{BUILD}/{source.name} is older than notebooks/{source.name}: run `make run` again")
        notebook = nbformat.read(copy, as_version=4)
        unrun = [
            index
            for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and cell.source.strip() and cell.get("execution_count") is None
        ]
        if unrun:
            raise SiteError(f"{BUILD}/{source.name}: code cells {unrun} were not executed: run `make run` again")
        copies.append(copy)
    return copies


WIDGET = "application/vnd.jupyter.widget-view+json"


def without_widgets(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``notebook`` without its Jupyter widget outputs and widget state (changed in place)."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs if WIDGET not in output.get("data", {})]
    return notebook


def student_notebooks(root: Path = ROOT) -> list[Path]:
    copies = []
    for source in source_notebooks(root):
        copy = root / "dist" / "student" / "notebooks" / source.name
        if not copy.is_file() or copy.stat().st_mtime < source.stat().st_mtime:
            raise SiteError(f"dist/student/notebooks/{source.name} is missing or out of date: run `make student`")
        copies.append(copy)
    if not (root / HANDOUT_ZIP).is_file():
        raise SiteError(f"{HANDOUT_ZIP} is missing: run `make student`")
    return copies


def stage(profile: str, root: Path = ROOT) -> Path:
    """Fill ``_build/site-<profile>/`` with the pages and the profile's notebooks; return it."""
    notebooks = executed_notebooks(root) if profile == "solution" else student_notebooks(root)
    folder = root / BUILD / f"site-{profile}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if (root / BUILD / FREEZE).is_dir():
        shutil.copytree(root / BUILD / FREEZE, folder / "_freeze")
    for pattern in SITE_FILES:
        for path in sorted(root.glob(pattern)):
            shutil.copy2(path, folder / path.name)
    (folder / "notebooks").mkdir()
    for notebook in notebooks:
        nbformat.write(without_widgets(nbformat.read(notebook, as_version=4)), folder / "notebooks" / notebook.name)
    if profile == "student":
        (folder / DOWNLOADS).mkdir()
        for path in [*notebooks, root / HANDOUT_ZIP]:
            shutil.copy2(path, folder / DOWNLOADS / path.name)
    return folder


def require_quarto(quarto: str = "quarto") -> None:
    if shutil.which(quarto) is None:
        raise SiteError(
            f"{quarto} is not on PATH: install Quarto 1.7 (https://quarto.org/docs/get-started/, "
            "or `pip install quarto-cli`), then rerun"
        )


def render(profile: str, root: Path = ROOT, quarto: str = "quarto") -> tuple[Path, float]:
    """Stage, render and publish the site of ``profile``; return its folder and the seconds taken."""
    require_quarto(quarto)
    start = time.perf_counter()
    target = output_dir(profile, root)
    folder = stage(profile, root)
    env = dict(os.environ, QUARTO_PYTHON=sys.executable)
    result = subprocess.run([quarto, "render", "--profile", profile], cwd=folder, env=env, check=False)
    if result.returncode != 0:
        raise SiteError(f"quarto render --profile {profile} failed (exit {result.returncode}) in {folder}")
    rendered = folder / target
    if not (rendered / "index.html").is_file():
        raise SiteError(f"quarto render --profile {profile} wrote no {target}/index.html in {folder}")
    published = root / target
    if published.exists():
        shutil.rmtree(published)
    shutil.move(rendered, published)
    freeze = root / BUILD / FREEZE
    if freeze.exists():
        shutil.rmtree(freeze)
    if (folder / "_freeze").is_dir():
        shutil.copytree(folder / "_freeze", freeze)
    return published, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", nargs="?", choices=PROFILES)
    parser.add_argument("--check", action="store_true", help="only check that quarto is on PATH")
    args = parser.parse_args(argv)
    if not args.check and args.profile is None:
        parser.error(f"name the profile to render: one of {', '.join(PROFILES)}")
    try:
        if args.check:
            require_quarto()
            return 0
        published, seconds = render(args.profile)
    except SiteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{args.profile} site rendered into {published.relative_to(ROOT)}/ in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

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

Both sites also get:

* KaTeX (``node_modules/katex``, installed by ``npm ci`` from ``package.json``; ``make site``
  runs it) in ``assets/katex/``, so the math renders with no network;
* ``_handin-policy.md``, the part of the "Hand in" page (``handin.qmd``) that comes from the
  grading policy: the deadline and the late policy of ``grading.toml`` and the parts of
  ``utils.parts`` (points, written answers), so the page and ``make grade`` never disagree.

Only the guide's snippets run at render (with this Python, as ``QUARTO_PYTHON``); their
results (Quarto's ``_freeze/``) are kept in ``_build/site-freeze/`` for the next render of
either site, and reused while hw08.qmd is unchanged.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import shutil
import subprocess
import sys
import time
import tomllib
import zoneinfo
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
BUILD = "_build"
PROFILES = ("solution", "student")
#: The files Quarto reads, at the top of the repository: configs, pages, the Markdown they
#: include (question statements, snippets such as _benchmark.md), filters and styles.
SITE_FILES = ("_quarto*.yml", "*.qmd", "*.md", "*.lua", "*.css", "*.scss", "*.html")
#: The guide's executed results, shared by the renders of both sites.
FREEZE = "site-freeze"
#: Folder of the student site that holds the downloadable handout files.
DOWNLOADS = "download"
HANDOUT_ZIP = "dist/hw08-student.zip"
#: KaTeX's browser files (npm package ``katex``) and where the sites serve them from.
KATEX = "node_modules/katex"
KATEX_FILES = ("dist/katex.min.js", "dist/katex.min.css", "dist/fonts", "LICENSE")
KATEX_SITE = "assets/katex"
#: The grading policy (``make grade`` reads it too) and the page partial made from it.
POLICY = "grading.toml"
HANDIN_PARTIAL = "_handin-policy.md"


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
    stage_katex(folder, root)
    (folder / HANDIN_PARTIAL).write_text(handin_policy(root), encoding="utf-8")
    if profile == "student":
        (folder / DOWNLOADS).mkdir()
        for path in [*notebooks, root / HANDOUT_ZIP]:
            shutil.copy2(path, folder / DOWNLOADS / path.name)
    return folder


def stage_katex(folder: Path, root: Path = ROOT) -> None:
    """Copy KaTeX's script, stylesheet, fonts and licence into ``folder/assets/katex/``."""
    package = root / KATEX
    missing = [name for name in KATEX_FILES if not (package / name).exists()]
    if missing:
        raise SiteError(
            f"{KATEX}/ lacks {', '.join(missing)}: run `npm ci` in {root} "
            "(it installs package-lock.json's KaTeX; `make site` runs it)"
        )
    target = folder / KATEX_SITE
    for name in KATEX_FILES:
        source = package / name
        destination = target / Path(name).name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copy2(source, destination)


def _policy(root: Path) -> dict:
    path = root / POLICY
    try:
        policy = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SiteError(f"{POLICY} is missing: the Hand in page reads the deadline and late policy from it") from None
    except tomllib.TOMLDecodeError as error:
        raise SiteError(f"{POLICY} is not valid TOML ({error}): fix it, then render again") from None
    needed = {
        "deadline": {"due": str, "timezone": str, "grace_minutes": int},
        "late": {"per_day": (int, float), "cap": (int, float), "max_days": int},
    }
    for table, keys in needed.items():
        for key, kind in keys.items():
            value = (policy.get(table) or {}).get(key)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise SiteError(
                    f"{POLICY}: [{table}] {key} is {value!r}; set it (see the comments in {POLICY}), then render again"
                )
    return policy


def _deadline(deadline: dict) -> str:
    try:
        due = datetime.datetime.fromisoformat(deadline["due"])
    except ValueError:
        raise SiteError(f"{POLICY}: [deadline] due = {deadline['due']!r} is not an ISO 8601 date and time") from None
    try:
        zone = zoneinfo.ZoneInfo(deadline["timezone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SiteError(
            f"{POLICY}: [deadline] timezone = {deadline['timezone']!r} is not an IANA time zone (e.g. Europe/Paris)"
        ) from None
    local = due.replace(tzinfo=zone)
    utc = local.astimezone(datetime.UTC)
    return f"**{local:%A %d %B %Y, %H:%M}** ({deadline['timezone']} time, {local:%Z}; that is {utc:%Y-%m-%d %H:%M} UTC)"


def handin_policy(root: Path = ROOT) -> str:
    """The Markdown of the Hand in page that comes from ``grading.toml`` and ``utils.parts``."""
    policy = _policy(root)
    deadline, late = policy["deadline"], policy["late"]
    grace = deadline["grace_minutes"]
    lines = [
        "## Deadline",
        "",
        f"Hand in by {_deadline(deadline)}."
        + (f" A submission up to {grace} minutes later still counts as on time (upload delays)." if grace else ""),
        "",
        "## Late submissions",
        "",
    ]
    per_day, cap, max_days = late["per_day"], late["cap"], late["max_days"]
    if per_day:
        lines.append(
            f"- {per_day:g} % of the homework's points are deducted for each day late, counting a started day "
            f"as a whole one, up to {cap:g} % in all."
        )
    else:
        lines.append("- No points are deducted for lateness.")
    if max_days:
        lines.append(f"- A submission more than {max_days} days late is not accepted: it scores 0.")
    lines.append(
        "- An extension the instructor grants you replaces the deadline above for you; "
        "the late policy then counts from your new deadline."
    )
    lines += ["", "## What is graded, and how", ""]
    lines.append("| Part | Title | Points | Graded by |")
    lines.append("|---|---|--:|---|")
    total = 0
    for part in _parts(root):
        total += part.points
        how = "the grader; your written answers are read by a person" if part.written_answers else "the grader"
        lines.append(f"| {part.id} | {part.title} | {part.points} | {how} |")
    lines.append(f"| | **Total** | **{total}** | |")
    lines += ["", ": The parts of HW 8 and what each is worth {.striped}", ""]
    return "\n".join(lines)


def _parts(root: Path) -> tuple:
    spec = importlib.util.spec_from_file_location("_hw08_parts", root / "utils" / "parts.py")
    if spec is None or spec.loader is None:
        raise SiteError(f"{root / 'utils' / 'parts.py'} is missing: the Hand in page lists its parts")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return module.PARTS


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

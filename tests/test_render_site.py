"""tools/render_site.py and the sites it renders (`make site`, `make site-student`).

The staging is tested on a small fake repository, without Quarto. The tests marked
``site`` render both sites for real, once per session (tests/rendered_site.py), after the
notebooks ran under nbval, and check the pages Quarto wrote.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rendered_site import ROOT, SITES, STAMP, Page, leaks, pages, render

spec = importlib.util.spec_from_file_location("render_site", ROOT / "tools" / "render_site.py")
render_site = importlib.util.module_from_spec(spec)
spec.loader.exec_module(render_site)

PROFILES = tuple(SITES)
NOTEBOOK_NAMES = [path.name for path in sorted((ROOT / "notebooks").glob("hw08-q*.ipynb"))]
QUESTION_FILES = sorted(ROOT.glob("hw08-q*.md"))
STUB = "raise NotImplementedError("


# ----------------------------------------------------------------- staging (no Quarto)


POLICY = """
[deadline]
due = "2027-03-05T17:00"
timezone = "Europe/Paris"
grace_minutes = 0

[late]
per_day = 20
cap = 60
max_days = 0
"""


def fake_repository(root: Path, executed: bool = True) -> Path:
    """The files the stage reads: configs, pages, one notebook and (optionally) its executed copy."""
    (root / "notebooks").mkdir(parents=True)
    for name, text in {
        "_quarto.yml": "project:\n  type: website\n",
        "_quarto-solution.yml": "project:\n  output-dir: _site\n",
        "_quarto-student.yml": "project:\n  output-dir: _site-student\n",
        "index.qmd": "# Home\n",
        "hw08.qmd": "# Guide\n",
        "hw08-q01.md": "## Question 1\n",
        "README.md": "# not a page, staged with the other Markdown\n",
        "nbval-markers.lua": "-- filter\n",
        "styles.css": "/* css */\n",
    }.items():
        (root / name).write_text(text, encoding="utf-8")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    nbformat.write(notebook, root / "notebooks" / "hw08-q01.ipynb")
    (root / "grading.toml").write_text(POLICY, encoding="utf-8")
    (root / "utils").mkdir()
    shutil.copy2(ROOT / "utils" / "parts.py", root / "utils" / "parts.py")
    katex = root / "node_modules" / "katex"
    (katex / "dist" / "fonts").mkdir(parents=True)
    for name in ("dist/katex.min.js", "dist/katex.min.css", "dist/fonts/KaTeX_Main-Regular.woff2", "LICENSE"):
        (katex / name).write_text(f"/* {name} */\n", encoding="utf-8")
    if executed:
        notebook.cells[0].execution_count = 1
        notebook.cells[0].outputs = [
            nbformat.v4.new_output("stream", name="stdout", text="1\n"),
            nbformat.v4.new_output(
                "display_data",
                data={"application/vnd.jupyter.widget-view+json": {"model_id": "m1"}, "text/plain": "epochs: 0%"},
            ),
        ]
        notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
        (root / "_build").mkdir()
        nbformat.write(notebook, root / "_build" / "hw08-q01.ipynb")
    return root


def test_output_dir_is_read_from_the_profile(tmp_path: Path):
    assert render_site.output_dir("solution") == "_site"
    assert render_site.output_dir("student") == "_site-student"
    root = fake_repository(tmp_path / "repo")
    (root / "_quarto-solution.yml").write_text("project:\n  output-dir: ../elsewhere\n")
    with pytest.raises(render_site.SiteError, match="output-dir"):
        render_site.output_dir("solution", root)


def test_solution_stage_holds_the_pages_and_the_executed_copies(tmp_path: Path):
    root = fake_repository(tmp_path / "repo")
    old = root / "_build" / "site-solution"
    old.mkdir(parents=True)
    (old / "removed.qmd").write_text("a page that is gone")
    (root / "_build" / "site-freeze").mkdir()
    (root / "_build" / "site-freeze" / "kept").write_text("the guide's results")
    folder = render_site.stage("solution", root)
    assert folder == old
    staged = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert staged == [
        "README.md",
        "_freeze/kept",
        "_handin-policy.md",
        "_quarto-solution.yml",
        "_quarto-student.yml",
        "_quarto.yml",
        "assets/katex/LICENSE",
        "assets/katex/fonts/KaTeX_Main-Regular.woff2",
        "assets/katex/katex.min.css",
        "assets/katex/katex.min.js",
        "hw08-q01.md",
        "hw08.qmd",
        "index.qmd",
        "nbval-markers.lua",
        "notebooks/hw08-q01.ipynb",
        "styles.css",
    ]
    staged_notebook = nbformat.read(folder / "notebooks" / "hw08-q01.ipynb", as_version=4)
    outputs = staged_notebook.cells[0].outputs
    assert [output.output_type for output in outputs] == ["stream"], "the executed copy, without its widgets"
    assert "widgets" not in staged_notebook.metadata
    assert not nbformat.read(root / "notebooks" / "hw08-q01.ipynb", as_version=4).cells[0].outputs


def test_stage_refuses_a_missing_stale_or_unexecuted_copy(tmp_path: Path):
    root = fake_repository(tmp_path / "missing", executed=False)
    with pytest.raises(render_site.SiteError, match=r"_build/hw08-q01.ipynb does not exist: run `make run`"):
        render_site.stage("solution", root)

    root = fake_repository(tmp_path / "stale")
    copy = root / "_build" / "hw08-q01.ipynb"
    source = root / "notebooks" / "hw08-q01.ipynb"
    os.utime(copy, (source.stat().st_mtime - 60,) * 2)
    with pytest.raises(render_site.SiteError, match="is older than notebooks/hw08-q01.ipynb"):
        render_site.stage("solution", root)

    root = fake_repository(tmp_path / "unexecuted")
    nbformat.write(nbformat.read(source, as_version=4), root / "_build" / "hw08-q01.ipynb")
    with pytest.raises(render_site.SiteError, match=r"code cells \[0\] were not executed"):
        render_site.stage("solution", root)


def test_student_stage_holds_the_handout_notebooks_and_downloads(tmp_path: Path):
    root = fake_repository(tmp_path / "repo", executed=False)
    with pytest.raises(render_site.SiteError, match="run `make student`"):
        render_site.stage("student", root)
    handout = root / "dist" / "student" / "notebooks"
    handout.mkdir(parents=True)
    stub = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('raise NotImplementedError("Q1.1")')])
    nbformat.write(stub, handout / "hw08-q01.ipynb")
    (root / "dist" / "hw08-student.zip").write_bytes(b"zip")
    folder = render_site.stage("student", root)
    assert nbformat.read(folder / "notebooks" / "hw08-q01.ipynb", as_version=4).cells[0].source == stub.cells[0].source
    downloads = folder / "download"
    assert (downloads / "hw08-q01.ipynb").read_bytes() == (handout / "hw08-q01.ipynb").read_bytes()
    assert (downloads / "hw08-student.zip").read_bytes() == b"zip"


def test_stage_names_missing_katex(tmp_path: Path):
    root = fake_repository(tmp_path / "repo")
    shutil.rmtree(root / "node_modules")
    with pytest.raises(render_site.SiteError, match=r"node_modules/katex/ lacks .*run `npm ci`"):
        render_site.stage("solution", root)


def test_handin_policy_comes_from_grading_toml_and_the_parts(tmp_path: Path):
    root = fake_repository(tmp_path / "repo")
    text = render_site.handin_policy(root)
    assert "**Friday 05 March 2027, 17:00** (Europe/Paris time, CET; that is 2027-03-05 16:00 UTC)" in text
    assert "counts as on time" not in text, "no grace period is set"
    assert "20 % of the homework's points are deducted for each day late" in text and "up to 60 %" in text
    assert "not accepted" not in text, "max_days = 0: no limit"
    rows = [line for line in text.splitlines() if re.match(r"\| \d\.\d \|", line)]
    assert len(rows) == len(utils_parts().PARTS)
    assert "| 2.5 | Experiments | 9 | the grader; your written answers are read by a person |" in rows
    assert f"**{sum(part.points for part in utils_parts().PARTS)}**" in text


def utils_parts():
    import utils.parts

    return utils.parts


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('due = "2027-03-05T17:00"', 'due = "next Friday"'), r"\[deadline\] due = 'next Friday'"),
        (lambda t: t.replace("Europe/Paris", "Mars/Olympus"), "not an IANA time zone"),
        (lambda t: t.replace("per_day = 20", ""), r"\[late\] per_day is None; set it"),
        (lambda t: t.replace("[late]", "[late"), "is not valid TOML"),
    ],
)
def test_handin_policy_names_what_is_wrong_in_grading_toml(tmp_path: Path, edit, message: str):
    root = fake_repository(tmp_path / "repo")
    policy = root / "grading.toml"
    policy.write_text(edit(policy.read_text()))
    with pytest.raises(render_site.SiteError, match=message):
        render_site.stage("solution", root)


def test_render_names_a_missing_quarto(tmp_path: Path):
    root = fake_repository(tmp_path / "repo")
    with pytest.raises(render_site.SiteError, match="no-such-quarto-here is not on PATH: install Quarto"):
        render_site.render("solution", root, quarto="no-such-quarto-here")
    assert not (root / "_site").exists()


# ------------------------------------------------------------------ the rendered sites


@pytest.mark.site
@pytest.mark.parametrize("profile", PROFILES)
def test_render_leaves_the_sources_untouched_and_keeps_its_budget(profile: str, timed):
    rendered = render(profile)
    verdict = timed(f"make {SITES[profile][0]}", rendered.seconds, "site")
    assert not rendered.changed, f"make {SITES[profile][0]} changed files git tracks or sees: {list(rendered.changed)}"
    assert not verdict.failed, verdict.failure()


@pytest.mark.site
@pytest.mark.parametrize("profile", PROFILES)
def test_every_page_is_rendered_and_every_local_link_resolves(profile: str):
    folder = render(profile).folder
    expected = [
        "index.html",
        "hw08.html",
        *(f"notebooks/{Path(name).stem}.html" for name in NOTEBOOK_NAMES),
        "handin.html",
    ]
    missing = [name for name in expected if not (folder / name).is_file()]
    assert not missing, f"{folder.name}: pages not rendered: {missing}"
    broken = []
    for page in pages(folder):
        for link in page.local_links():
            target = page.resolve(link)
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append(f"{page.path.relative_to(folder)}: {link}")
    assert not broken, f"{folder.name}: links to files that do not exist:\n" + "\n".join(broken)


@pytest.mark.site
@pytest.mark.parametrize("profile", PROFILES)
def test_no_page_shows_markers_shortcodes_or_build_paths(profile: str):
    folder = render(profile).folder
    found = {page.path.relative_to(folder).as_posix(): leaks(page.html) for page in pages(folder)}
    found = {name: what for name, what in found.items() if what}
    assert not found, f"{folder.name}: pages show test markers, raw shortcodes or build paths: {found}"


INCLUDE = re.compile(r"\{\{<\s*include\s+(\S+)\s*>\}\}")


def callout_count(path: Path) -> int:
    """The callouts written in ``path`` and in the files it includes."""
    text = path.read_text(encoding="utf-8")
    own = len(re.findall(r"^:::+\s*\{\s*\.callout-", text, re.MULTILINE))
    return own + sum(callout_count(path.parent / name) for name in INCLUDE.findall(text))


@pytest.mark.site
@pytest.mark.parametrize("profile", PROFILES)
def test_guide_shows_the_questions_outputs_and_callouts(profile: str):
    guide = Page.read(render(profile).folder / "hw08.html")
    headings = [line for line in guide.text.splitlines() if line.startswith("Question ")]
    for question in QUESTION_FILES:
        title = question.read_text(encoding="utf-8").splitlines()[0].removeprefix("## ").strip()
        assert title in headings, f"hw08.html lacks the section {title!r} (included from {question.name})"
    expected = callout_count(ROOT / "hw08.qmd")
    assert expected, "hw08.qmd and its includes have no callout"
    assert len(guide.elements("div", "callout")) == expected, "hw08.html does not show every callout of its sources"
    assert guide.elements("div", "cell-output-stdout"), "hw08.html shows no printed output of its snippets"
    errors = re.findall(r'cell-output-error">(.*?)</div>\s*</div>', guide.html, re.DOTALL)
    assert errors, "hw08.html lacks the deliberate .detach() error"
    for error in errors:
        message = re.sub(r"<[^>]+>", "", error).strip()
        assert len(message.splitlines()) == 1 and "Traceback" not in message and "File " not in message, (
            f"an error in hw08.html shows a traceback, not its one-line message:\n{message[:800]}"
        )


@pytest.mark.site
@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_solution_notebook_pages_show_their_outputs_and_plots(name: str):
    page = Page.read(render("solution").folder / "notebooks" / name.replace(".ipynb", ".html"))
    executed = nbformat.read(ROOT / "_build" / name, as_version=4)
    outputs = [output for cell in executed.cells if cell.cell_type == "code" for output in cell.outputs]
    plots = sum("image/png" in output.get("data", {}) for output in outputs)
    images = [img for img in page.elements("img") if "figure-html" in img.get("src", "")]
    assert len(images) == plots, f"{page.path.name} shows {len(images)} plots; its executed notebook has {plots}"
    assert page.elements("div", "cell-output"), f"{page.path.name} shows no cell output"
    assert "✓" in page.text, f"{page.path.name} shows no passing self-check line"


@pytest.mark.site
def test_the_notebooks_have_plots_to_show():
    """Keeps the plot check above from passing on notebooks that plot nothing."""
    render("solution")
    executed = [nbformat.read(ROOT / "_build" / name, as_version=4) for name in NOTEBOOK_NAMES]
    assert any(
        "image/png" in output.get("data", {})
        for notebook in executed
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def solution_lines(name: str) -> set[str]:
    """Lines of the solution regions of notebooks/<name> that the handout's copy does not contain."""
    source = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    handout = (ROOT / "dist" / "student" / "notebooks" / name).read_text(encoding="utf-8")
    student = {line.strip() for cell in nbformat.reads(handout, as_version=4).cells for line in cell.source.split("\n")}
    lines, inside = set(), False
    for cell in source.cells:
        for line in cell.source.split("\n"):
            if line.strip() in ("### BEGIN SOLUTION", "### END SOLUTION"):
                inside = line.strip() == "### BEGIN SOLUTION"
            elif inside and line.strip() and line.strip() not in student:
                lines.add(line.strip())
    return lines


@pytest.mark.site
@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_student_pages_show_stubs_and_no_solution_line(name: str):
    page = Page.read(render("student").folder / "notebooks" / name.replace(".ipynb", ".html"))
    handout = nbformat.read(ROOT / "dist" / "student" / "notebooks" / name, as_version=4)
    stubs = [
        line.strip()
        for cell in handout.cells
        if cell.cell_type == "code"
        for line in cell.source.split("\n")
        if STUB in line
    ]
    assert stubs, f"the handout's {name} has no stub"
    missing = [stub for stub in stubs if stub not in page.text]
    assert not missing, f"{page.path.name} does not show the stubs {missing}"
    solutions = solution_lines(name)
    assert solutions, f"notebooks/{name} has no solution line to look for"
    shown = sorted(solutions & {line.strip() for line in page.text.splitlines()})
    assert not shown, f"the student page {page.path.name} shows solution lines: {shown}"
    assert "BEGIN SOLUTION" not in page.text


@pytest.mark.site
@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_student_question_page_links_its_notebook_for_download(name: str):
    page = Page.read(render("student").folder / "notebooks" / name.replace(".ipynb", ".html"))
    handout = (ROOT / "dist" / "student" / "notebooks" / name).read_bytes()
    downloads = [page.resolve(a["href"]) for a in page.elements("a") if a.get("href", "").endswith(".ipynb")]
    assert any(path.is_file() and path.read_bytes() == handout for path in downloads), (
        f"{page.path.name} has no link to a downloadable copy of the handout's {name} (found {downloads})"
    )


@pytest.mark.site
def test_home_pages_link_the_handout_to_students_and_instructions_to_instructors():
    student = Page.read(render("student").folder / "index.html")
    archive = (ROOT / "dist" / "hw08-student.zip").read_bytes()
    zips = [student.resolve(a["href"]) for a in student.elements("a") if a.get("href", "").endswith(".zip")]
    assert any(path.is_file() and path.read_bytes() == archive for path in zips), (
        f"the student home page does not link the handout zip (found {zips})"
    )
    assert "For instructors" not in student.text, "the student home page shows the instructors' section"
    solution = Page.read(render("solution").folder / "index.html")
    assert "For instructors" in solution.text, "the instructors' home page lost its section"


@pytest.mark.site
def test_student_site_has_clean_addresses_and_no_solution_notebook():
    folder = render("student").folder
    files = [path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()]
    assert not [name for name in files if name.startswith("dist/") or "/dist/" in name]
    linked = [link for page in pages(folder) for link in page.local_links() if "dist/" in link]
    assert not linked, f"student pages link into dist/: {linked}"
    handout = {path.read_bytes() for path in (ROOT / "dist" / "student" / "notebooks").glob("*.ipynb")}
    foreign = [name for name in files if name.endswith(".ipynb") and (folder / name).read_bytes() not in handout]
    assert not foreign, f"the student site holds notebooks that are not the handout's: {foreign}"


@pytest.mark.site
@pytest.mark.parametrize("profile", PROFILES)
def test_handin_page_gives_the_deadline_late_policy_and_parts(profile: str):
    page = Page.read(render(profile).folder / "handin.html")
    text = " ".join(page.text.replace("\u2019", "'").split())  # (Pandoc's typographic apostrophes)
    policy = render_site._policy(ROOT)
    expected = render_site._deadline(policy["deadline"]).replace("**", "")
    assert expected in text, f"handin.html does not give the deadline {expected!r}"
    assert f"{policy['late']['per_day']:g} % of the homework's points" in text
    for name in NOTEBOOK_NAMES:
        assert f"notebooks/{name}" in page.text, f"handin.html does not say to hand in {name}"
    headers = page.elements("th")
    assert len(headers) >= 4, "the table of parts has no header row"
    assert "{{<" not in page.html and "upload-to" not in page.text


@pytest.mark.site
def test_make_site_executes_only_notebooks_newer_than_their_copy():
    render("solution")  # the executed copies exist and are fresh

    def planned(*options: str) -> str:
        command = ["make", "--dry-run", "-o", STAMP, *options, "site", f"PY={sys.executable}"]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout

    assert "run_notebooks.py" not in planned(), "make site executes notebooks whose executed copy is fresh"
    changed = planned("--what-if", f"notebooks/{NOTEBOOK_NAMES[0]}")
    runs = [line for line in changed.splitlines() if "run_notebooks.py" in line]
    assert len(runs) == 1 and runs[0].endswith(f"notebooks/{NOTEBOOK_NAMES[0]}"), (
        f"after a change to {NOTEBOOK_NAMES[0]}, make site must execute it, and only it:\n{changed}"
    )

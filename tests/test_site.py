"""The Quarto site (`_quarto*.yml`, `index.qmd`, `hw08.qmd`), checked without the `quarto` binary.

* The configuration parses; each profile (Quarto merges ``_quarto-<profile>.yml`` over
  ``_quarto.yml``, concatenating lists) renders files that exist, and its navbar links only
  to pages it renders.
* Every ``{{< include >}}`` stands alone on its line between blank lines, resolves relative
  to its including file, and the included file has no front matter.
* Every notebook starts with a raw front-matter cell holding a title; every ``#|`` option
  line of a chunk or cell is valid YAML.
* The guide keeps every heading of the course text, in order; its code blocks parse and keep
  to 79 columns; the executed ``{python}`` chunks run in a fresh kernel in at most 30 s.
* With ``quarto`` on PATH, the site renders (in a copy of the project) to HTML pages.

The question files and notebooks are written separately: a test that needs one that does
not exist yet fails with a message naming it.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ("solution", "student")
QUESTIONS = ("hw08-q01", "hw08-q02", "hw08-q03")
GUIDE = ROOT / "hw08.qmd"
EXECUTION_BUDGET_S = 30.0
MAX_CODE_COLUMNS = 79  # PEP 8

# The sections and subsections of the course text (taken once from the guide text, with
# the levels hw08.qmd gives them), in order.
GUIDE_HEADINGS = [
    (2, "PyTorch for Deep Learning"),
    (3, "What is PyTorch?"),
    (3, "GPU Acceleration"),
    (2, "Tensors: PyTorch's Core Data Structure"),
    (3, "Tensor Basics"),
    (3, "Tensor Operations"),
    (3, "Automatic Differentiation"),
    (2, "Dataset Handling in PyTorch"),
    (3, "Built-in Datasets"),
    (3, "DataLoader Features"),
    (2, "Building Neural Networks"),
    (3, "Understanding nn.Module"),
    (3, "nn.Sequential vs Custom nn.Module"),
    (3, "Layer Types"),
    (2, "Parameters and Training"),
    (3, "Loss Functions"),
    (3, "Optimizers"),
    (3, "Weight Initialization"),
    (2, "Model Training and Evaluation"),
    (3, "Training Loop"),
    (3, "Learning Rate Scheduling"),
    (3, "Model Evaluation"),
    (2, "Visualizing and Analyzing Results"),
    (3, "Learning Curves"),
    (2, "Saving and Loading Models"),
    (3, "Basic Model Saving"),
    (3, "Comprehensive Checkpointing"),
    (3, "Including Variables in Filenames"),
    (3, "TorchScript for Deployment"),
    (2, "Inside PyTorch: Exploring the Source Code"),
    (3, "Finding Source Code"),
    (3, "Linear Layer Implementation"),
    (3, "Loss Function Implementation"),
    (3, "Autograd Implementation"),
    (2, "PyTorch Conventions and Patterns"),
    (3, "Naming Conventions"),
    (3, "Tensor Dimension Ordering"),
    (3, "The .detach() Method"),
]

INCLUDE_RE = re.compile(r"\{\{<\s*include\s+(?P<path>[^\s>]+)\s*>\}\}")
FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
DIV_RE = re.compile(r"^\s*:{3,}")
LINK_RE = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


# --------------------------------------------------------------------------- configuration


def read_yaml(path: Path) -> dict:
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.relative_to(ROOT)} is not a YAML mapping"
    return data


def merge_config(base, overlay):
    """Quarto's merge of project configs: mappings merge key by key, lists concatenate
    (dropping duplicates), anything else is replaced by the overlay."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = merge_config(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) or isinstance(overlay, list):
        if not base:
            return overlay
        if not overlay:
            return base
        combined = (base if isinstance(base, list) else [base]) + (overlay if isinstance(overlay, list) else [overlay])
        unique, seen = [], set()
        for item in combined:
            key = json.dumps(item, sort_keys=True)
            if key not in seen:
                seen.add(key)
                unique.append(item)
        return unique
    return overlay


def profile_config(profile: str) -> dict:
    base = read_yaml(ROOT / "_quarto.yml")
    base.pop("profile", None)
    return merge_config(base, read_yaml(ROOT / f"_quarto-{profile}.yml"))


def render_targets(config: dict) -> list[str]:
    return [str(item) for item in config.get("project", {}).get("render", [])]


def navbar_hrefs(config: dict) -> list[str]:
    navbar = config.get("website", {}).get("navbar", {})
    hrefs = []
    for side in ("left", "right"):
        for item in navbar.get(side, []) or []:
            href = item.get("href") if isinstance(item, dict) else item
            if href and not re.match(r"^[a-z]+:", str(href)):
                hrefs.append(str(href))
    return hrefs


def is_external(link: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", link)) or link.startswith("#")


# ------------------------------------------------------------------------------ markdown


def code_fence_mask(lines: list[str]) -> list[bool]:
    """True for each line that is inside a fenced code block (fence lines included)."""
    mask, fence = [], None
    for line in lines:
        match = FENCE_RE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
            mask.append(fence is not None)
        else:
            mask.append(True)
            if (
                match
                and match.group(1)[0] == fence[0]
                and len(match.group(1)) >= len(fence)
                and not match.group(2).strip()
            ):
                fence = None
    return mask


def strip_front_matter(text: str) -> str:
    if not has_front_matter(text):
        return text
    lines = text.lstrip("\ufeff").split("\n")
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() in ("---", "..."))
    return "\n".join(lines[end + 1 :])


def has_front_matter(text: str) -> bool:
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != "---":
        return False
    return any(line.strip() in ("---", "...") for line in lines[1:])


def headings(text: str) -> list[tuple[int, str]]:
    """Markdown ATX headings outside code blocks and outside ``:::`` divs (callout titles)."""
    lines = strip_front_matter(text).split("\n")
    found, depth = [], 0
    for line, in_code in zip(lines, code_fence_mask(lines)):
        if in_code:
            continue
        if DIV_RE.match(line):
            depth += 1 if line.strip().strip(":").strip() else -1
            continue
        match = HEADING_RE.match(line)
        if match and depth == 0:
            found.append((len(match.group(1)), match.group(2).replace("`", "")))
    return found


def include_problems(path: Path, text: str | None = None) -> list[str]:
    """What is wrong with the ``{{< include >}}`` shortcodes of ``path`` (empty when all is well)."""
    text = path.read_text(encoding="utf-8") if text is None else text
    lines = text.split("\n")
    problems = []
    for number, (line, in_code) in enumerate(zip(lines, code_fence_mask(lines)), start=1):
        if in_code:
            continue
        matches = list(INCLUDE_RE.finditer(line))
        if not matches:
            continue
        where = f"{path.name}:{number}"
        if len(matches) > 1 or line.strip() != matches[0].group(0):
            problems.append(f"{where}: an include must stand alone on its line: {line.strip()!r}")
        if number > 1 and lines[number - 2].strip():
            problems.append(f"{where}: an include needs an empty line before it")
        if number < len(lines) and lines[number].strip():
            problems.append(f"{where}: an include needs an empty line after it")
        for match in matches:
            target = match.group("path").strip("\"'")
            resolved = ROOT / target.lstrip("/") if target.startswith("/") else path.parent / target
            if not resolved.is_file():
                problems.append(f"{where}: included file {target} does not exist (looked for {resolved})")
            elif has_front_matter(resolved.read_text(encoding="utf-8")):
                problems.append(f"{where}: included file {target} has front matter (a --- block): remove it")
    return problems


def expand_includes(path: Path) -> str:
    """The text of ``path`` with its includes replaced by the included files' text."""
    text = path.read_text(encoding="utf-8")

    def replace(match: re.Match) -> str:
        target = match.group("path").strip("\"'")
        resolved = ROOT / target.lstrip("/") if target.startswith("/") else path.parent / target
        return resolved.read_text(encoding="utf-8") if resolved.is_file() else match.group(0)

    return INCLUDE_RE.sub(replace, text)


def option_lines(source: str) -> list[str]:
    """The leading ``#|`` lines of a code cell or chunk, without the ``#|`` prefix."""
    options = []
    for line in source.split("\n"):
        if not line.startswith("#|"):
            break
        options.append(line[2:].removeprefix(" "))
    return options


def option_problem(source: str) -> str | None:
    """Why the ``#|`` options of a chunk are not a YAML mapping, or ``None``."""
    lines = option_lines(source)
    if not lines:
        return None
    try:
        options = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as error:
        return f"invalid YAML in #| options: {error}".replace("\n", " ")
    if not isinstance(options, dict):
        return f"#| options are not `key: value` lines: {lines!r}"
    return None


def chunk_options(source: str) -> dict:
    return yaml.safe_load("\n".join(option_lines(source))) or {}


def qmd_chunks(text: str) -> list[tuple[int, str, str]]:
    """``(line, language, source)`` of each fenced code block of a .qmd page; executed chunks
    have a language in braces, e.g. ``{python}``."""
    lines = text.split("\n")
    chunks, start, info, fence = [], None, "", None
    for number, line in enumerate(lines, start=1):
        match = FENCE_RE.match(line)
        if fence is None and match:
            fence, info, start = match.group(1), match.group(2).strip(), number
        elif fence is not None and match and match.group(1) == fence and not match.group(2).strip():
            body = "\n".join(textwrap_dedent(lines[start : number - 1], lines[start - 1]))
            chunks.append((start, info, body))
            fence = None
    return chunks


def textwrap_dedent(body: list[str], fence_line: str) -> list[str]:
    """Remove the fence's own indentation (code blocks inside list items) from its body."""
    indent = len(fence_line) - len(fence_line.lstrip())
    return [line[indent:] if line[:indent].strip() == "" else line for line in body]


def python_blocks(text: str) -> list[tuple[int, bool, str]]:
    """``(line, executed, source)`` of the Python code of a page."""
    blocks = []
    for line, info, body in qmd_chunks(text):
        language = info.strip("{} ").split()[0].split(",")[0].lower() if info else ""
        language = language.lstrip(".")
        if language == "python":
            blocks.append((line, info.startswith("{"), body))
    return blocks


# ------------------------------------------------------------------------------ notebooks


def notebook_front_matter(notebook: nbformat.NotebookNode) -> dict:
    if not notebook.cells or notebook.cells[0].cell_type != "raw":
        return {}
    source = notebook.cells[0].source.strip()
    if not has_front_matter(source):
        return {}
    lines = source.split("\n")
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() in ("---", "..."))
    data = yaml.safe_load("\n".join(lines[1:end]))
    return data if isinstance(data, dict) else {}


def solution_notebooks() -> list[str]:
    return [target for target in render_targets(profile_config("solution")) if target.endswith(".ipynb")]


def read_notebook(relative: str) -> nbformat.NotebookNode:
    path = ROOT / relative
    assert path.exists(), f"{relative} does not exist yet (it is listed in the site's render list)"
    return nbformat.read(path, as_version=4)


# ================================================================================= tests


def test_quarto_config_parses_and_sets_up_the_site():
    config = read_yaml(ROOT / "_quarto.yml")
    assert config["project"]["type"] == "website"
    assert config["profile"]["default"] == "solution", "the instructors' profile must be the default"
    groups = config["profile"]["group"]
    groups = groups if isinstance(groups[0], list) else [groups]
    assert ["solution", "student"] in groups, "solution and student must form a profile group"
    assert config["jupyter"] == "python3", "pages must run on the project's python3 kernel"
    html = config["format"]["html"]
    assert html["toc"] is True and html["code-copy"] is True
    if "css" in html:
        assert (ROOT / html["css"]).is_file(), f"format.html.css names a missing file {html['css']}"
    assert config["execute"]["freeze"] == "auto"


@pytest.mark.parametrize("profile", PROFILES)
def test_profile_settings(profile: str):
    config = profile_config(profile)
    output = config["project"].get("output-dir", "_site")
    execute = config.get("execute", {})
    if profile == "solution":
        assert output == "_site"
        assert execute.get("enabled") is True, "the solution site executes its notebooks"
    else:
        assert output == "_site-student", "the student site must not overwrite _site"
        assert execute.get("enabled") is False, "student notebooks stop at their first stub: never execute them"
    gitignore = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert f"/{output}/" in gitignore or f"{output}/" in gitignore, f"{output}/ is not in .gitignore"


def test_profiles_render_the_same_pages():
    solution = render_targets(profile_config("solution"))
    student = render_targets(profile_config("student"))
    assert {"index.qmd", "hw08.qmd"} <= set(solution) & set(student)
    notebooks = [t for t in solution if t.endswith(".ipynb")]
    assert notebooks == [f"notebooks/{q}.ipynb" for q in QUESTIONS]
    assert [t for t in student if t.endswith(".ipynb")] == [f"dist/student/{t}" for t in notebooks], (
        "the student site renders the generated copy of each solution notebook (make student)"
    )


@pytest.mark.parametrize("target", render_targets(profile_config("solution")))
def test_solution_render_targets_exist(target: str):
    assert not any(ch in target for ch in "*?["), "list files, not globs, so a missing one is named"
    assert (ROOT / target).is_file(), f"render target {target} does not exist"


def test_question_partials_are_not_rendered_as_pages():
    for profile in PROFILES:
        targets = render_targets(profile_config(profile))
        assert not [t for t in targets if t.endswith(".md")], f"profile {profile}: .md partials must not be pages"


@pytest.mark.parametrize("profile", PROFILES)
def test_navbar_links_point_at_rendered_pages(profile: str):
    config = profile_config(profile)
    targets = render_targets(config)
    hrefs = navbar_hrefs(config)
    assert hrefs, f"profile {profile}: the navbar has no links"
    assert "hw08.qmd" in hrefs, "the navbar links to the guide"
    unrendered = [href for href in hrefs if href.split("#")[0] not in targets]
    assert not unrendered, f"profile {profile}: navbar links to pages it does not render: {unrendered}"
    notebooks = [href for href in hrefs if href.endswith(".ipynb")]
    assert len(notebooks) == len(QUESTIONS), f"profile {profile}: one navbar entry per question notebook"


def test_student_profile_renders_what_make_student_writes(tmp_path: Path):
    """The student render targets are exactly the notebooks `make student` writes."""
    tool = ROOT / "tools" / "make_student.py"
    assert tool.is_file(), "tools/make_student.py is missing"
    missing = [f"notebooks/{q}.ipynb" for q in QUESTIONS if not (ROOT / "notebooks" / f"{q}.ipynb").is_file()]
    assert not missing, f"the solution notebooks {missing} do not exist yet"
    result = subprocess.run(
        [sys.executable, str(tool), "--output", str(tmp_path / "dist")],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"make_student.py failed:\n{result.stdout}\n{result.stderr}"
    for target in render_targets(profile_config("student")):
        if target.startswith("dist/"):
            assert (tmp_path / target).is_file(), f"make student does not write {target}"


@pytest.mark.parametrize("page", ["index.qmd", "hw08.qmd"])
def test_includes_resolve_and_stand_alone(page: str):
    problems = include_problems(ROOT / page)
    assert not problems, "\n".join(problems)


def test_include_checker_rejects_bad_includes(tmp_path: Path):
    (tmp_path / "part.md").write_text("## Part\n\ntext\n", encoding="utf-8")
    (tmp_path / "fm.md").write_text("---\ntitle: x\n---\n\n## Part\n", encoding="utf-8")
    good = tmp_path / "good.qmd"
    good.write_text("Intro\n\n{{< include part.md >}}\n\nEnd\n", encoding="utf-8")
    assert include_problems(good) == []

    cases = {
        "inline": ("See {{< include part.md >}} here\n", "stand alone"),
        "two": ("{{< include part.md >}} {{< include part.md >}}\n", "stand alone"),
        "cramped": ("Intro\n{{< include part.md >}}\nEnd\n", "empty line before"),
        "missing": ("\n{{< include nowhere.md >}}\n", "does not exist"),
        "front-matter": ("\n{{< include fm.md >}}\n", "front matter"),
    }
    for name, (text, expected) in cases.items():
        page = tmp_path / f"{name}.qmd"
        page.write_text(text, encoding="utf-8")
        problems = include_problems(page)
        assert any(expected in problem for problem in problems), f"{name}: {problems}"
    # an include shown inside a code block is text, not an include
    shown = tmp_path / "shown.qmd"
    shown.write_text("```markdown\nSee {{< include nowhere.md >}}\n```\n", encoding="utf-8")
    assert include_problems(shown) == []


def test_guide_ends_with_the_three_questions():
    lines = [line.strip() for line in GUIDE.read_text(encoding="utf-8").split("\n") if line.strip()]
    assert lines[-3:] == [f"{{{{< include {q}.md >}}}}" for q in QUESTIONS], (
        "hw08.qmd must end with the three question includes, in order, one per line"
    )


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_question_is_followed_by_a_link_to_its_notebook(question: str):
    partial = ROOT / f"{question}.md"
    assert partial.is_file(), f"{question}.md does not exist yet"
    text = partial.read_text(encoding="utf-8")
    links = LINK_RE.findall(text)
    assert f"notebooks/{question}.ipynb" in links, (
        f"{question}.md must end with a link to its notebook: [Open the notebook ...](notebooks/{question}.ipynb)"
    )
    assert not has_front_matter(text), f"{question}.md must not have front matter: it is included in hw08.qmd"
    assert "```{" not in text, f"{question}.md is plain Markdown: no executed chunks"
    levels = {level for level, _ in headings(text)}
    assert not levels or min(levels) >= 2, f"{question}.md: headings start at level 2 (## Question N: ...)"


@pytest.mark.parametrize("page", ["index.qmd", "hw08.qmd"])
def test_local_links_resolve(page: str):
    """Local links of a page (its includes expanded) point at files that exist."""
    text = expand_includes(ROOT / page)
    lines = text.split("\n")
    prose = "\n".join(line for line, code in zip(lines, code_fence_mask(lines)) if not code)
    broken = [
        link
        for link in LINK_RE.findall(prose)
        if not is_external(link) and not (ROOT / link.split("#")[0].lstrip("/")).exists()
    ]
    assert not broken, f"{page}: links to missing files {broken}"


def student_link_rewrites(config: dict) -> dict[str, str]:
    """Link prefixes the student site rewrites (``student-links: {from, to}`` in its config,
    applied by the Lua filter ``student-links.lua`` when that filter is listed and exists)."""
    spec = config.get("student-links") or {}
    filters = [str(f) for f in config.get("filters", []) or [] if isinstance(f, str)]
    active = any(Path(f).name == "student-links.lua" and (ROOT / f).is_file() for f in filters)
    return {str(spec["from"]): str(spec["to"])} if spec and active else {}


def unrendered_notebook_links(page: Path, config: dict) -> list[str]:
    """Links of ``page`` (includes expanded) to notebooks the profile does not render: Quarto
    copies such a linked file into the site as it is."""
    targets = set(render_targets(config))
    rewrites = student_link_rewrites(config)
    lines = expand_includes(page).split("\n")
    prose = "\n".join(line for line, code in zip(lines, code_fence_mask(lines)) if not code)
    found = []
    for link in LINK_RE.findall(prose):
        path = link.split("#")[0].lstrip("/")
        for old, new in rewrites.items():
            if path.startswith(old):
                path = new + path[len(old) :]
        if not is_external(link) and path.endswith(".ipynb") and path not in targets:
            found.append(link)
    return found


@pytest.mark.parametrize("profile", PROFILES)
def test_pages_link_only_notebooks_the_site_renders(profile: str):
    """In the student site a link to notebooks/hw08-q0N.ipynb (the solution, not rendered
    there) would publish the solution notebook itself in _site-student."""
    config = profile_config(profile)
    leaks = {page: unrendered_notebook_links(ROOT / page, config) for page in ("index.qmd", "hw08.qmd")}
    leaks = {page: links for page, links in leaks.items() if links}
    assert not leaks, (
        f"profile {profile}: pages link to notebooks this site does not render, which Quarto would copy "
        f"into it as they are (solutions included): {leaks}"
    )


def test_merge_follows_quarto(tmp_path: Path):
    base = {"project": {"render": ["a.qmd"], "type": "website"}, "execute": {"enabled": True}, "x": [1]}
    overlay = {"project": {"render": ["b.ipynb", "a.qmd"]}, "execute": {"enabled": False}, "y": 2}
    assert merge_config(base, overlay) == {
        "project": {"render": ["a.qmd", "b.ipynb"], "type": "website"},
        "execute": {"enabled": False},
        "x": [1],
        "y": 2,
    }


def test_notebook_link_checker_finds_a_leak(tmp_path: Path, monkeypatch):
    page = tmp_path / "page.qmd"
    page.write_text("[Q1](notebooks/hw08-q01.ipynb) and [ok](dist/student/notebooks/hw08-q01.ipynb)\n")
    config = {"project": {"render": ["dist/student/notebooks/hw08-q01.ipynb"]}}
    assert unrendered_notebook_links(page, config) == ["notebooks/hw08-q01.ipynb"]
    lua = tmp_path / "student-links.lua"
    lua.write_text("-- stub\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    config |= {
        "filters": ["student-links.lua"],
        "student-links": {"from": "notebooks/", "to": "dist/student/notebooks/"},
    }
    assert unrendered_notebook_links(page, config) == []


def test_guide_keeps_every_heading_of_the_course_text():
    found = headings(GUIDE.read_text(encoding="utf-8"))
    assert found == GUIDE_HEADINGS, (
        "hw08.qmd's headings differ from the course text's:\n"
        + "\n".join(f"  expected {e!r}, found {f!r}" for e, f in zip(GUIDE_HEADINGS, found) if e != f)
        + f"\n  ({len(GUIDE_HEADINGS)} expected, {len(found)} found)"
    )


def test_heading_reader_skips_code_and_callout_titles():
    text = (
        "---\ntitle: T\n---\n\n## A\n\n```python\n# not a heading\n```\n\n"
        "::: {.callout-note}\n## Callout title\n:::\n\n### B\n"
    )
    assert headings(text) == [(2, "A"), (3, "B")]
    assert headings("## A\n### C\n") != [(2, "A"), (3, "B")]


def test_guide_has_the_callouts_for_torch_2_14():
    text = GUIDE.read_text(encoding="utf-8")
    callouts = re.findall(
        r"^::: \{\.callout-(?:note|warning|tip|important)\}\n(.*?)^:::$", text, re.MULTILINE | re.DOTALL
    )
    joined = "\n".join(callouts)
    for needed, why in [
        ("torch.export", "TorchScript is deprecated in favour of torch.export"),
        ("weights_only=True", "torch.load defaults to weights_only=True"),
        ("Fashion-MNIST", "MNIST needs the internet; the homework uses Fashion-MNIST"),
    ]:
        assert needed in joined, f"hw08.qmd lacks a callout saying: {why}"


def test_guide_starts_with_the_hidden_setup_chunk():
    blocks = python_blocks(GUIDE.read_text(encoding="utf-8"))
    _line, executed, source = blocks[0]
    assert executed and chunk_options(source).get("echo") is False, "the first chunk is the hidden setup chunk"
    assert "import numpy as np" in source and "import matplotlib.pyplot as plt" in source


def test_guide_code_is_valid_pep8_python():
    problems = []
    for line, executed, source in python_blocks(GUIDE.read_text(encoding="utf-8")):
        code = "\n".join(l for l in source.split("\n") if not l.startswith("#|"))
        try:
            ast.parse(code)
        except SyntaxError as error:
            problems.append(f"hw08.qmd:{line}: code block does not parse: {error}")
        for offset, text in enumerate(source.split("\n"), start=1):
            if len(text) > MAX_CODE_COLUMNS:
                problems.append(f"hw08.qmd:{line + offset}: {len(text)} columns (PEP 8: at most {MAX_CODE_COLUMNS})")
            if "\t" in text or text != text.rstrip():
                problems.append(f"hw08.qmd:{line + offset}: tab or trailing whitespace")
    assert not problems, "\n".join(problems)


def test_chunk_options_are_valid_yaml_in_pages():
    problems = []
    for page in ("index.qmd", "hw08.qmd"):
        for line, info, source in qmd_chunks((ROOT / page).read_text(encoding="utf-8")):
            problem = option_problem(source) if info.startswith("{") else None
            if problem:
                problems.append(f"{page}:{line}: {problem}")
    assert not problems, "\n".join(problems)


def test_option_checker_rejects_bad_options():
    assert option_problem("#| echo: false\n#| label: fig-x\nx = 1") is None
    assert option_problem("x = 1  # no options") is None
    assert option_problem("#| echo: [false\nx = 1") is not None
    assert option_problem("#| just words\nx = 1") is not None


@pytest.mark.parametrize("notebook", solution_notebooks())
def test_notebook_starts_with_front_matter_and_has_valid_options(notebook: str):
    nb = read_notebook(notebook)
    assert notebook_front_matter(nb).get("title"), (
        f"{notebook}: the first cell must be a raw cell with YAML front matter holding a title"
    )
    problems = [
        f"{notebook} cell {index}: {problem}"
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (problem := option_problem(cell.source))
    ]
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------- the guide's code runs


def guide_notebook() -> tuple[nbformat.NotebookNode, list[int]]:
    """hw08.qmd as a notebook of its executed chunks (jupytext's R Markdown reader turns
    ```{python} chunks into code cells and leaves plain ```python blocks as markdown), with
    Quarto's per-chunk options applied: ``eval: false`` chunks dropped, ``error: true`` chunks
    tagged ``raises-exception``. Returns the notebook and the indices of those tagged cells."""
    text = INCLUDE_RE.sub("", GUIDE.read_text(encoding="utf-8"))
    source_nb = jupytext.reads(text, fmt="Rmd")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    expected_errors = []
    for cell in source_nb.cells:
        if cell.cell_type != "code":
            continue
        options = chunk_options(cell.source)
        if options.get("eval") is False:
            continue
        new = nbformat.v4.new_code_cell(cell.source)
        if options.get("error") is True:
            new.metadata["tags"] = ["raises-exception"]
            expected_errors.append(len(notebook.cells))
        notebook.cells.append(new)
    return notebook, expected_errors


def test_guide_notebook_conversion_finds_the_executed_chunks():
    notebook, expected_errors = guide_notebook()
    executed = [block for block in python_blocks(GUIDE.read_text(encoding="utf-8")) if block[1]]
    assert len(notebook.cells) == len(executed) >= 10, "jupytext did not find the {python} chunks"
    assert all(not cell.source.startswith("```") for cell in notebook.cells)
    assert len(expected_errors) <= 1, "only the .detach() example is meant to raise"


def test_guide_executed_chunks_run_in_a_fresh_kernel():
    notebook, expected_errors = guide_notebook()
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=60,
        resources={"metadata": {"path": str(ROOT)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    failures = []
    for index, cell in enumerate(notebook.cells):
        errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        if index in expected_errors and not errors:
            failures.append(f"chunk {index} is marked `error: true` but ran without error:\n{cell.source}")
        if index not in expected_errors and errors:
            failures.append(f"chunk {index} failed: {errors[0]['ename']}: {errors[0]['evalue']}\n{cell.source}")
    assert not failures, "\n\n".join(failures)
    assert seconds <= EXECUTION_BUDGET_S, (
        f"the guide's executed chunks took {seconds:.1f} s (budget {EXECUTION_BUDGET_S:g} s): keep them to quick snippets"
    )


# -------------------------------------------------------------------------- quarto render


def project_copy(destination: Path) -> Path:
    """The files the site needs, copied (so rendering writes nothing into the repository)."""
    ignore = shutil.ignore_patterns(
        ".git",
        ".venv",
        "_site",
        "_site-student",
        "_freeze",
        ".quarto",
        "_build",
        "dist",
        "__pycache__",
        ".pytest_cache",
        ".ipynb_checkpoints",
        "*.egg-info",
        ".ruff_cache",
    )
    shutil.copytree(ROOT, destination, ignore=ignore, symlinks=True)
    data = destination / "data"
    if data.exists() and not data.is_symlink():
        shutil.rmtree(data)
    if (ROOT / "data").exists():
        data.symlink_to(ROOT / "data", target_is_directory=True)
    return destination


@pytest.mark.skipif(
    shutil.which("quarto") is None,
    reason="quarto is not on PATH (install it to render the site: https://quarto.org/docs/get-started/)",
)
@pytest.mark.parametrize("profile", PROFILES)
def test_quarto_renders_the_site(profile: str, tmp_path: Path):
    project = project_copy(tmp_path / "hw08")
    env = dict(os.environ, QUARTO_PYTHON=sys.executable)
    if profile == "student":
        subprocess.run([sys.executable, "tools/make_student.py", "--output", "dist"], cwd=project, check=True, env=env)
    result = subprocess.run(
        ["quarto", "render", "--profile", profile],
        check=False,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert result.returncode == 0, (
        f"quarto render --profile {profile} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    config = profile_config(profile)
    site = project / config["project"].get("output-dir", "_site")
    for target in render_targets(config):
        page = site / Path(target).with_suffix(".html")
        assert page.is_file(), f"{page.relative_to(project)} was not rendered"
    guide = (site / "hw08.html").read_text(encoding="utf-8")
    assert "Question 1" in guide and "cell-output" in guide, "hw08.html lacks the questions or the executed output"
    if profile == "student":
        leaked = sorted(
            p.relative_to(site).as_posix() for p in site.rglob("*.ipynb") if "dist/student" not in p.as_posix()
        )
        assert not leaked, f"the student site contains solution notebooks: {leaked}"

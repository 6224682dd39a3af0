"""The Quarto site's sources, checked without Quarto (tests/test_render_site.py renders it).

What Quarto cannot check for us:

* the configuration: a website whose default profile is the instructors', one render list
  (the home page, the guide, every question notebook; never the question partials) that
  the navbar covers, output folders git ignores;
* the guide: every heading of the course text, in order; the three question files
  included at its end, each ending with a link to its notebook; the callouts for
  torch 2.14; the hidden setup chunk; code blocks that parse and keep to 79 columns;
  ``#|`` options that are valid YAML.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ("solution", "student")
QUESTIONS = ("hw08-q01", "hw08-q02", "hw08-q03")
GUIDE = ROOT / "hw08.qmd"
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

FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
DIV_RE = re.compile(r"^\s*:{3,}")
LINK_RE = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def read_yaml(path: Path) -> dict:
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.relative_to(ROOT)} is not a YAML mapping"
    return data


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


def has_front_matter(text: str) -> bool:
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != "---":
        return False
    return any(line.strip() in ("---", "...") for line in lines[1:])


def strip_front_matter(text: str) -> str:
    if not has_front_matter(text):
        return text
    lines = text.lstrip("\ufeff").split("\n")
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() in ("---", "..."))
    return "\n".join(lines[end + 1 :])


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
    """``(line, info, source)`` of each fenced code block of a .qmd page; executed chunks
    have a language in braces, e.g. ``{python}``."""
    lines = text.split("\n")
    chunks, start, info, fence = [], None, "", None
    for number, line in enumerate(lines, start=1):
        match = FENCE_RE.match(line)
        if fence is None and match:
            fence, info, start = match.group(1), match.group(2).strip(), number
        elif fence is not None and match and match.group(1) == fence and not match.group(2).strip():
            indent = len(lines[start - 1]) - len(lines[start - 1].lstrip())
            body = [line[indent:] if line[:indent].strip() == "" else line for line in lines[start : number - 1]]
            chunks.append((start, info, "\n".join(body)))
            fence = None
    return chunks


def python_blocks(text: str) -> list[tuple[int, bool, str]]:
    """``(line, executed, source)`` of the Python code of a page."""
    blocks = []
    for line, info, body in qmd_chunks(text):
        language = info.strip("{} ").split()[0].split(",")[0].lower().lstrip(".") if info else ""
        if language == "python":
            blocks.append((line, info.startswith("{"), body))
    return blocks


# ------------------------------------------------------------------------- configuration


def test_quarto_config_sets_up_the_site():
    config = read_yaml(ROOT / "_quarto.yml")
    assert config["project"]["type"] == "website"
    assert config["profile"]["default"] == "solution", "the instructors' profile must be the default"
    assert ["solution", "student"] in config["profile"]["group"], "solution and student must form a profile group"
    assert config["jupyter"] == "python3", "pages must run on the project's python3 kernel"
    html = config["format"]["html"]
    assert html["toc"] is True and html["code-copy"] is True
    assert (ROOT / html["css"]).is_file(), f"format.html.css names a missing file {html['css']}"
    assert config["execute"]["enabled"] is False, "Quarto never executes the notebooks: they come executed"
    assert config["execute"]["freeze"] == "auto"
    for profile in PROFILES:
        overlay = read_yaml(ROOT / f"_quarto-{profile}.yml")
        for name in overlay.get("filters", []) + config.get("filters", []):
            assert (ROOT / name).is_file(), f"_quarto-{profile}.yml: filter {name} does not exist"


def test_profiles_write_separate_ignored_folders():
    folders = [read_yaml(ROOT / f"_quarto-{profile}.yml")["project"]["output-dir"] for profile in PROFILES]
    assert folders == ["_site", "_site-student"]
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    for folder in [*folders, "_build"]:
        assert f"/{folder}/" in ignored or f"{folder}/" in ignored, f"{folder}/ is not in .gitignore"


def test_render_list_is_the_home_page_the_guide_and_every_notebook():
    render = read_yaml(ROOT / "_quarto.yml")["project"]["render"]
    notebooks = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "notebooks").glob("*.ipynb"))
    assert render == ["index.qmd", "hw08.qmd", *notebooks, "handin.qmd"], (
        "_quarto.yml renders index.qmd, hw08.qmd, every notebook and handin.qmd, listed by name (no globs); "
        "the question files hw08-q0N.md are partials, not pages"
    )
    for profile in PROFILES:
        overlay = read_yaml(ROOT / f"_quarto-{profile}.yml")
        assert "render" not in overlay.get("project", {}), (
            f"_quarto-{profile}.yml: both sites render the same pages (Quarto would append to the list)"
        )


def test_navbar_reaches_every_page():
    config = read_yaml(ROOT / "_quarto.yml")
    hrefs = [item["href"] for item in config["website"]["navbar"]["left"]]
    assert hrefs == config["project"]["render"], "the navbar links each rendered page once, in order"


# ------------------------------------------------------------------------------- guide


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
    options = chunk_options(source)
    assert executed and options.get("echo") is False and options.get("output") is False, (
        "the first chunk is the hidden setup chunk (echo: false, output: false)"
    )
    assert "import numpy as np" in source and "import matplotlib.pyplot as plt" in source
    assert '"xmode", "Minimal"' in source, "the setup chunk makes errors show as one line (xmode Minimal)"


def test_guide_code_is_valid_pep8_python():
    problems = []
    for line, _executed, source in python_blocks(GUIDE.read_text(encoding="utf-8")):
        code = "\n".join(row for row in source.split("\n") if not row.startswith("#|"))
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

"""What the Pages workflow (.github/workflows/site.yml) publishes: the students' site unless
the repository variable ``HW08_PUBLISH_PROFILE`` says ``solution``; and the site it publishes
by default holds no line of any solution region (its pages, its search index, its files).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from rendered_site import ROOT, Page, render
from test_render_site import NOTEBOOK_NAMES, solution_lines

WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"
#: ``${{ vars.NAME || 'default' }}``, ``${{ env.NAME }}`` or a plain value.
EXPRESSION = re.compile(r"^\$\{\{\s*(?P<ref>(?:vars|env)\.\w+)\s*(?:\|\|\s*'(?P<default>[^']*)'\s*)?\}\}$")
#: Solution lines shorter than this are too common to mean anything (``return x``).
MEANINGFUL = 24


def evaluate(value: str, variables: dict[str, str], env: dict[str, str]) -> str:
    """The value of a workflow setting, with GitHub's ``||`` default, for the given variables."""
    match = EXPRESSION.match(str(value).strip())
    if match is None:
        if "${{" in str(value):
            raise AssertionError(f"site.yml: the published profile {value!r} is an expression this test cannot read")
        return str(value)
    scope, name = match["ref"].split(".")
    found = (variables if scope == "vars" else env).get(name, "")
    return found or (match["default"] or "")


def published_profile(workflow: dict, variables: dict[str, str] | None = None) -> str:
    """The Quarto profile the workflow's publish step renders from, given the repository variables."""
    variables = variables or {}
    steps = [
        (job, step)
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "quarto-actions/publish" in step.get("uses", "") or "quarto publish" in step.get("run", "")
    ]
    assert len(steps) == 1, f"site.yml must have one publish step, it has {len(steps)}"
    job, step = steps[0]
    env = {
        name: evaluate(value, variables, {})
        for name, value in {**workflow.get("env", {}), **job.get("env", {})}.items()
    }
    profile = (step.get("env") or {}).get("QUARTO_PROFILE")
    assert profile, (
        "site.yml's publish step must name its profile (QUARTO_PROFILE), or Quarto takes the default: solution"
    )
    return evaluate(profile, variables, env)


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_the_workflow_publishes_the_students_site_unless_told_otherwise():
    assert published_profile(workflow()) == "student", "by default, Pages must get the students' site"
    explicit = published_profile(workflow(), {"HW08_PUBLISH_PROFILE": "solution"})
    assert explicit == "solution", "HW08_PUBLISH_PROFILE=solution must publish the instructors' site"


def test_the_profile_reader_follows_defaults_and_variables():
    assert evaluate("${{ vars.P || 'student' }}", {}, {}) == "student"
    assert evaluate("${{ vars.P || 'student' }}", {"P": "solution"}, {}) == "solution"
    assert evaluate("${{ env.P }}", {}, {"P": "solution"}) == "solution"
    assert evaluate("solution", {}, {}) == "solution"
    fake = {"jobs": {"site": {"steps": [{"uses": "quarto-dev/quarto-actions/publish@v2", "env": {}}]}}}
    with pytest.raises(AssertionError, match="must name its profile"):
        published_profile(fake)


def site_texts(folder: Path) -> dict[str, str]:
    """The text a reader (or a search) gets from each file of a rendered site."""
    texts = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or relative.startswith(("site_libs/", "assets/", "browser-check/")):
            continue
        if path.suffix == ".html":
            texts[relative] = Page.read(path).text
        elif path.suffix == ".json":
            texts[relative] = "\n".join(_strings(json.loads(path.read_text(encoding="utf-8"))))
        elif path.suffix == ".ipynb":
            notebook = json.loads(path.read_text(encoding="utf-8"))
            texts[relative] = "\n".join("".join(cell.get("source", "")) for cell in notebook["cells"])
    return texts


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def flat(text: str) -> str:
    return " ".join(text.split())


def public_text() -> str:
    """What students get anyway: the handout's notebooks, the guide and the question statements."""
    texts = [
        "".join(cell.get("source", ""))
        for path in sorted((ROOT / "dist" / "student" / "notebooks").glob("*.ipynb"))
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
    ]
    texts += [path.read_text(encoding="utf-8") for path in sorted(ROOT.glob("*.qmd")) + sorted(ROOT.glob("*.md"))]
    return flat("\n".join(texts))


def solution_code_in(folder: Path) -> dict[str, list[str]]:
    """``file -> solution lines`` found in the site's texts: lines of any notebook's solution
    regions that students never get elsewhere (long enough to mean something)."""
    public = public_text()
    lines = {
        flat(line)
        for name in NOTEBOOK_NAMES
        for line in solution_lines(name)
        if len(line) >= MEANINGFUL and flat(line) not in public
    }
    assert lines, "no solution line to look for"
    found = {}
    for relative, text in site_texts(folder).items():
        shown = sorted(line for line in lines if line in flat(text))
        if shown:
            found[relative] = shown
    return found


@pytest.mark.site
def test_the_published_site_holds_no_solution_code():
    profile = published_profile(workflow())
    found = solution_code_in(render(profile).folder)
    assert not found, f"site.yml publishes the {profile} site, which shows solution code: " + "; ".join(
        f"{name}: {lines[:3]}" for name, lines in found.items()
    )


@pytest.mark.site
def test_the_solution_check_finds_the_answers_in_the_instructors_site():
    """Keeps the check above from passing because it cannot see solutions at all."""
    render("student")  # (the handout, which solution_lines compares with)
    found = solution_code_in(render("solution").folder)
    assert "search.json" in found, "the instructors' search index holds their solutions, and must be found"
    assert any(name.startswith("notebooks/") for name in found), f"no solution found in the notebook pages: {found}"

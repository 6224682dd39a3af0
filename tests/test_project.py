"""Project set-up: dependencies, licence, Makefile, CI and docs agree with each other and with the README."""

from __future__ import annotations

import ast
import re
import subprocess
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"pytorch": "torch", "quarto": "quarto-cli"}
#: What a student needs to run the notebooks in JupyterLab and to run one as grading does, nothing else.
RUNTIME = {"torch", "torchvision", "numpy", "matplotlib", "jupyter", "ipywidgets", "tqdm", "pytest", "nbval"}
#: Tools only the project's own tests, the lint hooks or the site need.
NOT_RUNTIME = {"jupytext", "pyyaml", "playwright", "ruff", "pre-commit", "nbstripout", "quarto-cli"}


def requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~;\[ ]", spec.strip(), maxsplit=1)[0].lower()


def requirement_range(spec: str) -> str:
    """The version range of a pip or conda requirement, spaces and comments removed: ``">=2.6,<3"``."""
    spec = re.sub(r"\s+", "", spec.split("#")[0])
    return spec[len(requirement_name(spec)) :]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pypi_requirements() -> dict[str, str]:
    """Name -> range of every runtime dependency and every package of an extra (not the project itself)."""
    project = pyproject()["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    return {
        requirement_name(spec): requirement_range(spec) for spec in specs if requirement_name(spec) != project["name"]
    }


def conda_requirements() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, str):
            name = requirement_name(entry)
            if name not in {"python", "pip"}:
                names[CONDA_TO_PYPI.get(name, name)] = requirement_range(entry)
    return names


def test_environment_and_pyproject_name_the_same_packages_and_ranges():
    pypi, conda = pypi_requirements(), conda_requirements()
    assert set(pypi) == set(conda), (
        f"pyproject.toml only: {sorted(set(pypi) - set(conda))}; environment.yml only: {sorted(set(conda) - set(pypi))}"
    )
    differ = {name: (pypi[name], conda[name]) for name in pypi if pypi[name] != conda[name]}
    assert not differ, f"version ranges differ (pyproject.toml, environment.yml): {differ}"


def test_requirement_range_reads_pip_and_conda_specs():
    assert requirement_range("torch>=2.6,<3") == ">=2.6,<3"
    assert requirement_range("quarto>=1.5  # optional") == ">=1.5"


def test_environment_installs_the_project_and_python_311():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_entries = next(entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict))
    assert "-e ." in pip_entries
    assert "python=3.11" in environment["dependencies"]


def test_runtime_dependencies_are_what_a_student_needs():
    project = pyproject()["project"]
    runtime = {requirement_name(spec) for spec in project["dependencies"]}
    for spec in project["dependencies"]:
        assert "==" not in spec, f"{spec}: pin-free ranges only (users are on Linux, macOS and Windows)"
    assert runtime == RUNTIME, f"runtime dependencies: {sorted(runtime)}, expected {sorted(RUNTIME)}"
    assert not runtime & NOT_RUNTIME


def test_extras_split_test_lint_and_site():
    extras = pyproject()["project"]["optional-dependencies"]
    names = {extra: {requirement_name(spec) for spec in specs} for extra, specs in extras.items()}
    assert names["lint"] == {"ruff", "pre-commit", "nbstripout"}
    assert {"jupytext", "pyyaml", "playwright"} <= names["test"]
    assert "hw08-pytorch[lint]" in extras["test"], "the tests check the lint hooks: [test] must pull in [lint]"
    assert names["site"] == {"quarto-cli"}
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"pip install .*-e \"?\.\[test\]", makefile), "make test must install the test extra"


def test_licence_file_matches_pyproject():
    project = pyproject()["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License\n") and "Permission is hereby granted, free of charge" in licence


def test_notebook_budgets_are_declared_for_every_notebook():
    budgets = pyproject()["tool"]["hw08"]["notebook-budgets"]
    notebooks = {path.name for path in (ROOT / "notebooks").glob("*.ipynb")}
    assert notebooks <= set(budgets), f"no budget for {sorted(notebooks - set(budgets))}"


def test_ci_lints_then_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lint" in readme
    lint = re.search(r"^make lint$", ci, re.MULTILINE)
    test = re.search(r"^make test$", ci, re.MULTILINE)
    assert lint and test and lint.start() < test.start(), ".ci/run must run `make lint`, then `make test`"
    assert "dataset-fashion-mnist" in readme and "dataset-fashion-mnist" in ci


def makefile_recipe(target: str) -> str:
    """The recipe lines of ``target`` in the Makefile."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return "\n".join(recipe)


def test_make_lint_runs_the_pre_commit_hooks_on_every_file():
    assert "pre-commit run --all-files" in makefile_recipe("lint")


def test_make_lab_starts_as_root_through_the_project_jupyter_config():
    assert "--config=../tools/jupyter_lab_config.py" in makefile_recipe("lab")
    config = (ROOT / "tools" / "jupyter_lab_config.py").read_text()
    assert re.search(r"^c\.ServerApp\.allow_root = True$", config, re.MULTILINE)


def workflow(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def test_ci_workflow_has_a_python_matrix_on_linux_and_a_macos_notebook_job():
    jobs = workflow("test.yml")["jobs"]
    linux = [job for job in jobs.values() if job["runs-on"].startswith("ubuntu")]
    assert linux and [str(v) for v in linux[0]["strategy"]["matrix"]["python-version"]] == ["3.11", "3.12", "3.13"]
    linux_steps = "\n".join(step.get("run", "") for step in linux[0]["steps"])
    assert "make lint" in linux_steps and "make test" in linux_steps
    macos = [job for job in jobs.values() if job["runs-on"].startswith("macos")]
    assert macos, "no macOS (Apple silicon) job"
    macos_steps = "\n".join(step.get("run", "") for step in macos[0]["steps"])
    assert "torch.backends.mps.is_available()" in macos_steps and "DEVICE=" in macos_steps


# ------------------------------------------------------------------ references to files

#: A file name in prose or code: ``README.md``, ``tools/make_student.py``, ``notebooks/x.ipynb``.
FILE_REFERENCE = re.compile(r"(?<![\w/.$-])((?:[\w.-]+/)*[\w-][\w.-]*\.(?:md|qmd|ipynb|py|yml|yaml|toml|lua|css))\b")
#: Names the project mentions but does not hold, each with why.
NOT_IN_THE_REPOSITORY = {
    "_publish.yml": "written by `quarto publish gh-pages` (.github/workflows/site.yml explains)",
    "intake.md": "written by `make grade` into OUT (grading/intake.py)",
    "_handin-policy.md": "written into the staged site by tools/render_site.py, from grading.toml",
    "dist/katex.min.css": "KaTeX's stylesheet in node_modules/katex/ (npm ci), staged by tools/render_site.py",
    "handout/notebooks/hw08-q02-utils.ipynb": "written by tests/test_jupyterlab.py into the handout it serves",
}


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / name for name in listed.splitlines() if (ROOT / name).is_file()]


def dangling_references(text: str, names: set[str]) -> set[str]:
    """File names in ``text`` that are neither a path from the root nor the name of a project file."""
    found = set()
    for reference in FILE_REFERENCE.findall(text):
        reference = re.sub(r"^(\.\.?/)+", "", reference)  # ../tools/x.py from notebooks/
        placeholder = "0N" in reference or "*" in reference
        if not (placeholder or (ROOT / reference).exists() or Path(reference).name in names):
            found.add(reference)
    return found - set(NOT_IN_THE_REPOSITORY)


def test_the_project_refers_to_no_file_outside_it():
    """Docs, configs and code name only files the project holds (tests: their docstrings, not fixtures)."""
    files = tracked_files()
    names = {path.name for path in files}
    dangling = {}
    for path in files:
        relative = path.relative_to(ROOT)
        if path.suffix in {".png", ".jpg", ".zip", ".gz"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if relative.parts[0] == "tests" and path.suffix == ".py":
            text = ast.get_docstring(ast.parse(text)) or ""
        if missing := dangling_references(text, names):
            dangling[str(relative)] = sorted(missing)
    assert not dangling, f"references to files the project does not hold: {dangling}"


def test_dangling_references_are_found():
    names = {"README.md", "make_student.py"}
    assert dangling_references("See DEVELOPERS.md and tools/make_student.py", names) == {"DEVELOPERS.md"}
    assert dangling_references("notebooks/hw08-q0N.ipynb, README.md, ../tools/make_student.py", names) == set()

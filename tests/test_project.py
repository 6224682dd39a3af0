"""Project set-up: pyproject.toml and environment.yml agree; the Makefile and CI do what the README says."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"pytorch": "torch", "quarto": "quarto-cli"}


def requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~;\[ ]", spec.strip(), maxsplit=1)[0].lower()


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pypi_packages() -> set[str]:
    project = pyproject()["project"]
    names = {requirement_name(spec) for spec in project["dependencies"]}
    for extra in project.get("optional-dependencies", {}).values():
        names |= {requirement_name(spec) for spec in extra}
    return names


def conda_packages() -> set[str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = set()
    for entry in environment["dependencies"]:
        if isinstance(entry, str):
            name = requirement_name(entry)
            if name not in {"python", "pip"}:
                names.add(CONDA_TO_PYPI.get(name, name))
    return names


def test_environment_and_pyproject_name_the_same_packages():
    only_pyproject = pypi_packages() - conda_packages()
    only_conda = conda_packages() - pypi_packages()
    assert not only_pyproject and not only_conda, (
        f"pyproject.toml only: {sorted(only_pyproject)}; environment.yml only: {sorted(only_conda)}"
    )


def test_environment_installs_the_project_and_python_311():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_entries = next(entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict))
    assert "-e ." in pip_entries
    assert "python=3.11" in environment["dependencies"]


def test_core_dependencies_are_ranges_and_quarto_is_optional():
    project = pyproject()["project"]
    for spec in project["dependencies"]:
        assert "==" not in spec, f"{spec}: pin-free ranges only (users are on Linux, macOS and Windows)"
    assert "quarto-cli" not in {requirement_name(spec) for spec in project["dependencies"]}
    assert {"torch", "torchvision", "numpy", "matplotlib", "jupyter", "nbval", "pytest", "tqdm"} <= pypi_packages()


def test_notebook_budgets_are_declared_for_every_notebook():
    budgets = pyproject()["tool"]["hw08"]["notebook-budgets"]
    notebooks = {path.name for path in (ROOT / "notebooks").glob("*.ipynb")}
    assert notebooks <= set(budgets), f"no budget for {sorted(notebooks - set(budgets))}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and re.search(r"^make test$", ci, re.MULTILINE)
    assert "dataset-fashion-mnist" in readme and "dataset-fashion-mnist" in ci

"""grading.hidden: every hidden case passes the solution notebook's code and fails the handout's stubs.

The cells a graded notebook runs (setup, the code, the handout cells it needs) are run here
in-process for the complete solutions and for the untouched handout (with the handout's stubs of
``utils/models.py`` and ``utils/training.py``); then each hidden case
runs against the reference (``grading.trusted``) with that namespace as the student's kernel,
reached through the data channel's encoding and checks (``tests/grading_local.py``). The
final-model case (which trains for a minute) is left to the end-to-end test.
"""

from __future__ import annotations

import contextlib
import inspect
import io
from pathlib import Path

import nbformat
import pytest
import torch

from grading import hidden, synthetic
from grading.assemble import assemble
from grading.handout import build_handout
from grading.hidden import q02
from grading.trusted import describe_failure, isolated, references
from grading_local import LocalRemote
from notebook_functions import handout_utils_names

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("hw08-q01.ipynb", "hw08-q02.ipynb", "hw08-q03.ipynb")


def run_cells(graded, namespace: dict) -> dict:
    """The graded notebook's own cells (not the grader's), run in ``namespace``."""
    for cell in graded.cells:
        if cell.kind in ("setup", "student", "added", "other"):
            code = "\n".join(line for line in cell.source.split("\n") if not line.lstrip().startswith("%"))
            with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(NotImplementedError):
                exec(compile(code, cell.label, "exec"), namespace)  # noqa: S102 (the notebooks' own cells)
    return namespace


@pytest.fixture(scope="module")
def namespaces(tmp_path_factory: pytest.TempPathFactory) -> dict:
    handout = build_handout(tmp_path_factory.mktemp("handout"))
    books = synthetic.notebooks()
    made = {}
    with torch.random.fork_rng():
        for name in NOTEBOOKS:
            notebook = handout.notebooks[name]
            parts = sorted({c.part for c in notebook.cells if c.part and c.part.startswith(f"{notebook.question}.")})
            uses = hidden.uses_by_part()
            hidden_parts = {p: uses[p] for p in parts if p in uses}
            full = assemble(notebook, books[name][1], parts, hidden_parts, "")
            stubs = assemble(notebook, books[name][0], parts, hidden_parts, "")
            solution = run_cells(full, {"__name__": "__main__"})
            unanswered = run_cells(stubs, {"__name__": "__main__"})
            handout_utils_names(unanswered)  # the handout's utils/models.py and utils/training.py: stubs too
            made[name] = (parts, solution, references(notebook), unanswered)
    return made


def cases(parts: list[str]) -> list[hidden.Case]:
    return [case for part in parts for case in hidden.CASES.get(part, []) if case.seconds != 900]


def context(namespace: dict, reference: dict) -> hidden.Context:
    return hidden.Context(LocalRemote(namespace), hidden.Names(reference), {"accuracy_threshold": 0.5})


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_part_has_hidden_cases_the_solution_passes(namespaces: dict, name: str) -> None:
    parts, solution, reference, _ = namespaces[name]
    assert set(parts) <= set(hidden.CASES), f"parts without hidden cases: {set(parts) - set(hidden.CASES)}"
    failures = []
    for case in cases(parts):
        ctx = context(solution, reference)
        try:
            with isolated(), contextlib.redirect_stdout(io.StringIO()):
                case.run(ctx)
        except (Exception, SystemExit) as error:  # noqa: BLE001 (collected, reported below)
            failures.append(f"{case.part} {case.name}: {describe_failure(error)}")
        finally:
            ctx.cleanup()
    assert failures == []


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_hidden_case_fails_the_handout_stubs(namespaces: dict, name: str) -> None:
    parts, _, reference, stubs = namespaces[name]
    for case in cases(parts):
        ctx = context(stubs, reference)
        with pytest.raises(Exception) as raised, isolated(), contextlib.redirect_stdout(io.StringIO()):
            case.run(ctx)
        assert "not answered yet" in describe_failure(raised.value) or isinstance(raised.value, AssertionError)
        ctx.cleanup()


def test_the_final_model_is_trained_as_the_notebook_trains_it() -> None:
    """The 2.6 hidden case repeats the notebook's final training: same seed, loaders and call."""
    notebook = nbformat.read(ROOT / "notebooks" / "hw08-q02.ipynb", as_version=4)
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    (final,) = [s for s in code if "= build_final_model(device)" in s]
    assert final.index("seed_everything(0)") < final.index("build_final_model(device)")
    assert "fit(final_model, loaders.train, loaders.val, make_criterion(), optimizer, epochs, device," in final
    assert any("loaders = tensor_loaders(batch_size=256, device=device)" in s for s in code)
    source = q02.FINAL
    assert "tensor_loaders(batch_size=256, device=device)" in source and "seed_everything(0)" in source
    assert "train_one_epoch=student.train_one_epoch" in source
    assert "_final_accuracy" in inspect.getsource(q02)

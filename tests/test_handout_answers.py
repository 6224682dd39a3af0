"""No definition in the student handout reproduces a solution (tests/answer_similarity.py says how it is scored).

Every function or class holding a solution region (instructor notebooks and ``.py`` files)
is compared with every function and class the handout ships (``utils`` including
``utils/checks``, and the notebooks' code cells). A pair scoring above ``THRESHOLD`` fails
the test, which prints the top pairs either way (``pytest -s`` or ``-rP`` shows them).

**Why 0.55** (K = 6 tokens per shingle, FLOOR = 30 shingles). Measured on this repository:

* a renamed, re-commented copy of a solution scores 1.00, also inside a larger function
  (the planted-copy tests below);
* ``utils`` before it dropped its answer-equivalents: ``utils.MLP`` against Q2.2's ``MLP``
  0.57, Q2.6's ``confusion_counts`` against ``utils.metrics.confusion_matrix`` 0.50, Q2.5's
  ``apply_init`` against ``init_weights`` 0.44, Q2.4's loop against ``utils.training`` 0.40;
* a helper defined inside a region is a solution unit of its own: Q3.6's ``make_hook`` and
  ``hook`` scored 0.55 and 0.59 against the 3.6 self-check's ``_expected_stats`` while it
  recomputed the statistics as the answer's hook does; rewritten (the layers chained with
  ``itertools.accumulate``, float64 ``torch.std_mean``), it no longer shows in the top pairs;
* Q3.2's ``save_checkpoint`` scored 0.47 against ``utils.save_checkpoint`` while that wrote
  its entries one by one as the guide does; it now fills them in a loop over the roles
  (model, optimizer, scheduler) and restores them the same way: at most 0.25;
* the handout now: at most 0.40, Q3.6's ``ScaledLinear`` against the ``ScaledLinearBroken``
  the notebook shows on purpose; everything else at most 0.37: shared PyTorch idioms
  (``.to(device)``, ``torch.optim.SGD(model.parameters(), ...)``). ``utils/models.py`` and
  ``utils/training.py`` ship as stubs, which score 0.

0.55 is the lowest round value above everything the handout legitimately holds: it fails a
copy that keeps more than about half of an answer's token runs (the old ``utils.MLP`` would
fail), and not a self-check computing its reference with the same PyTorch call.
"""

from __future__ import annotations

import ast
import io
import shutil
import tokenize
from pathlib import Path

import nbformat
import pytest

from answer_similarity import (
    BEGIN,
    END,
    Definition,
    Pair,
    best_per_solution,
    file_definitions,
    score,
    scored_pairs,
    shipped_definitions,
    solution_definitions,
)
from notebook_functions import make_student_module

ROOT = Path(__file__).resolve().parent.parent
THRESHOLD = 0.55
SHOWN = 12
ms = make_student_module()


def solutions(root: Path) -> list[Definition]:
    """The solution units of the repository's shipped sources (notebooks and ``.py`` files)."""
    return [
        unit
        for name in ms.shipped_sources(root)
        if name.endswith((".py", ".ipynb"))
        for unit in file_definitions(root / name, name, solutions=True)
    ]


def candidates(handout: Path) -> list[Definition]:
    """Every function and class the handout ships."""
    return [
        definition
        for path in sorted(handout.rglob("*"))
        if path.suffix in (".py", ".ipynb")
        for definition in file_definitions(path, path.relative_to(handout).as_posix(), solutions=False)
    ]


def report(pairs: list[Pair]) -> str:
    best = best_per_solution(pairs)
    lines = [f"top {min(SHOWN, len(best))} solution/handout pairs (threshold {THRESHOLD}):"]
    return "\n".join(lines + [f"  {pair}" for pair in best[:SHOWN]])


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    return ms.build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def real_solutions() -> list[Definition]:
    units = solutions(ROOT)
    assert len(units) >= 20, f"only {len(units)} solution units found: are the regions still marked?"
    return units


def test_no_handout_definition_reproduces_a_solution(handout, real_solutions):
    pairs = scored_pairs(real_solutions, candidates(handout))
    print(report(pairs))
    above = [pair for pair in best_per_solution(pairs) if pair.score > THRESHOLD]
    assert not above, "handout definitions reproduce solutions:\n" + "\n".join(map(str, above)) + "\n" + report(pairs)


# --------------------------------------------------------------------------- the detector can fail


def renamed_copy(source: str, suffix: str = "_copy") -> str:
    """``source`` (one definition) with its markers, comments and docstrings gone and its own names renamed."""
    body = "\n".join(line for line in source.split("\n") if line.strip() not in (BEGIN, END))
    bound = _names_bound_in(body)
    out, previous = [], ""
    for token in tokenize.generate_tokens(io.StringIO(body).readline):
        if token.type == tokenize.COMMENT:
            continue
        text = token.string
        if token.type == tokenize.NAME and text in bound and previous != ".":
            text += suffix
        out.append((token.type, text))
        previous = token.string
    return tokenize.untokenize(out)


def _names_bound_in(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def q02_cell(name: str) -> tuple[int, str]:
    """The index and source of the question-2 code cell that defines ``name``."""
    nb = nbformat.read(ROOT / "notebooks" / "hw08-q02.ipynb", as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and f"def {name}(" in cell.source:
            return index, cell.source
    raise AssertionError(f"hw08-q02.ipynb defines no {name}()")


def function_source(cell: str, name: str) -> str:
    """The text of top-level ``def name`` in a cell."""
    lines = cell.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {name}("))
    end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i][0].isspace()), len(lines))
    return "\n".join(lines[start:end]).rstrip() + "\n"


@pytest.fixture(scope="module")
def train_loop() -> str:
    """Q2.4's ``train_one_epoch``, as the instructor's ``utils/training.py`` has it (markers included)."""
    source = (ROOT / "utils" / "training.py").read_text(encoding="utf-8")
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "train_one_epoch")
    return "\n".join(source.split("\n")[node.lineno - 1 : node.end_lineno]) + "\n"


def test_the_solution_units_include_the_regions_of_utils_and_definitions_inside_regions(real_solutions):
    """The student's files of ``utils`` are compared too, and so is a helper written inside a region (a hook)."""
    places = {unit.where for unit in real_solutions}
    for where in (
        "utils/models.py: MLP",
        "utils/models.py: forward",
        "utils/training.py: train_one_epoch",
        "utils/training.py: evaluate",
    ):
        assert where in places, f"{where} is not a solution unit"
    assert any(where.endswith(": make_hook") for where in places) and any(where.endswith(": hook") for where in places)


def test_a_planted_renamed_copy_is_flagged(handout, real_solutions, tmp_path, train_loop):
    planted = tmp_path / "student"
    shutil.copytree(handout, planted)
    copy = renamed_copy(train_loop)
    assert "total_loss_copy" in copy and BEGIN not in copy
    (planted / "utils" / "shortcuts.py").write_text('"""Handy."""\n\nimport torch\n\n\n' + copy)
    pairs = scored_pairs(real_solutions, candidates(planted))
    flagged = [p for p in pairs if p.score > THRESHOLD and p.candidate.startswith("utils/shortcuts.py")]
    assert flagged and flagged[0].score == 1.0, report(pairs)
    assert any(p.solution.endswith("train_one_epoch") for p in flagged)


def test_a_copy_inside_a_larger_check_is_flagged(handout, real_solutions, tmp_path, train_loop):
    """A self-check that ships the answer as its reference, among other code, still fails."""
    planted = tmp_path / "student"
    shutil.copytree(handout, planted)
    body = "\n".join("    " + line for line in renamed_copy(train_loop).split("\n")).rstrip()
    check = (
        "\n\ndef check_everything(student_fn, model, loader, criterion, optimizer, device):\n"
        "    expected_shapes = [tuple(p.shape) for p in model.parameters()]\n"
        "    assert all(len(shape) > 0 for shape in expected_shapes), 'parameters'\n"
        "    got = student_fn(model, loader, criterion, optimizer, device)\n"
        f"{body}\n"
        "    reference = train_one_epoch_copy(model, loader, criterion, optimizer, device)\n"
        "    assert abs(got[0] - reference[0]) < 1e-6, 'loss'\n"
        "    print('checked', len(expected_shapes))\n"
    )
    with (planted / "utils" / "checks" / "q02.py").open("a", encoding="utf-8") as handle:
        handle.write(check)
    pairs = scored_pairs(real_solutions, candidates(planted))
    flagged = [p for p in pairs if p.score > THRESHOLD and p.candidate.endswith("check_everything")]
    assert flagged and flagged[0].score == 1.0, report(pairs)


def test_stubs_score_zero_against_their_solutions(handout, real_solutions):
    """The handout's own stubs are no evidence: they share no answer shingle with their solutions."""
    student = candidates(handout)
    by_place = {}
    for definition in student:
        by_place.setdefault(definition.where, definition)
    checked = 0
    for unit in real_solutions:
        stub = by_place.get(unit.where)  # the same cell and name in the handout notebook
        if stub is not None:
            assert score(unit, stub).shared == 0, f"{unit.where}: its stub shares answer tokens"
            checked += 1
    assert checked >= 20


def test_normalisation_ignores_names_comments_docstrings_and_literals():
    a = solution_definitions(
        'def f(x, n):\n    """Doc."""\n    ### BEGIN SOLUTION\n    total = x.sum(dim=1) * 2  # twice\n'
        "    return torch.relu(total)[:n]\n    ### END SOLUTION\n",
        "a",
    )[0]
    b = shipped_definitions(
        "def g(values, k):\n    # other words\n    s = values.sum(dim=0) * 3\n    return torch.relu(s)[:k]\n", "b"
    )[0]
    assert a.tokens == b.tokens and score(a, b).shared == len(a.answer_shingles())
    changed_api = shipped_definitions(
        "def g(values, k):\n    s = values.mean(dim=0) * 3\n    return torch.sigmoid(s)[:k]\n", "c"
    )[0]
    assert changed_api.tokens != b.tokens


def test_keep_lines_are_not_answer_and_regions_outside_functions_count():
    units = solution_definitions(
        "def f(batch):\n    ### BEGIN SOLUTION\n    x, y = batch  # KEEP\n    return x + y\n    ### END SOLUTION\n\n"
        "### BEGIN SOLUTION\nlearning_rate = 0.1\n### END SOLUTION\n",
        "cell",
    )
    assert [u.where for u in units] == ["cell f", "cell region at line 8"]
    f = units[0]
    assert [f.tokens[i] for i in sorted(f.answer)] == ["return", "ID", "+", "ID"]
    assert units[1].tokens == ("ID", "=", "NUM") and units[1].answer == frozenset({0, 1, 2})


def test_short_answers_need_more_than_one_shared_idiom():
    """The floor: a one-line answer found verbatim in a large helper scores at most its share of FLOOR."""
    unit = solution_definitions(
        "def flatten(images):\n    ### BEGIN SOLUTION\n    return images.reshape(images.shape[0], -1)\n"
        "    ### END SOLUTION\n",
        "q",
    )[0]
    helper = shipped_definitions(
        "def check(fn, inputs):\n    fn(inputs)\n    return inputs.reshape(inputs.shape[0], -1)\n", "h"
    )[0]
    pair = score(unit, helper)
    assert pair.shared == pair.answer_shingles > 0 and pair.score < THRESHOLD
    assert score(unit, helper, floor=1).score == 1.0  # without the floor: a full match

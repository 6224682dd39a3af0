"""What the guide, the statements and the notebooks claim holds: for the installed PyTorch, or in the text itself.

Each fact a page states about PyTorch is checked against PyTorch here, next to a check that the page
states it that way, so that a release that changes the behaviour, or an edit that brings back the
old wording, fails. Claims that the notebooks demonstrate (the export of a shape-dependent branch,
gradient accumulation, the speed of the tensor path) are asserted in the notebook cells themselves,
which the notebook run executes.

Claims without a test here, and why none can fail: who created and governs PyTorch (history, not
behaviour); that a GPU may change the last digits of a seeded run (needs a GPU; the CPU half is
``tests/test_seed.py``); that the written model answers of question 2 match the plots (they describe
figures, read by a person).
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "hw08.qmd"
BENCHMARK = ROOT / "_benchmark.md"
NOTEBOOKS = {q: ROOT / "notebooks" / f"hw08-q0{q}.ipynb" for q in (1, 2, 3)}
STATEMENTS = {q: ROOT / f"hw08-q0{q}.md" for q in (1, 2, 3)}


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def notebook(question: int) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS[question], as_version=4)


def cells(question: int, kind: str) -> list[str]:
    return [cell.source for cell in notebook(question).cells if cell.cell_type == kind]


def prose(text: str) -> str:
    """Markdown without its fenced code blocks."""
    return re.sub(r"^(`{3,}).*?^\1", "", text, flags=re.MULTILINE | re.DOTALL)


def project_texts() -> dict[str, str]:
    """Every page, statement, notebook, README and utils module, by relative path (tests excluded:
    they name the wrong figures to hunt them)."""
    paths = [*ROOT.glob("*.md"), *ROOT.glob("*.qmd"), *(ROOT / "notebooks").glob("*.ipynb")]
    paths += [*(ROOT / "utils").rglob("*.py"), *(ROOT / "tools").glob("*"), *(ROOT / "benchmarks").glob("*.py")]
    return {path.relative_to(ROOT).as_posix(): read(path) for path in paths if path.is_file()}


def guide_python_chunks() -> list[str]:
    """The sources of the guide's executed ``{python}`` chunks."""
    return re.findall(r"^```\{python\}\n(.*?)^```", read(GUIDE), flags=re.MULTILINE | re.DOTALL)


# ------------------------------------------------------------------------------ the benchmark


def test_the_benchmark_is_stated_once_with_its_source():
    text = read(BENCHMARK)
    assert "MLPClassifier" in text and "**0.871**" in text, "_benchmark.md states the paper's MLPClassifier figure"
    assert "arXiv:1708.07747" in text and "Table 3" in text, "_benchmark.md names its source"
    assert "have not verified" in text, "the README's submitted results are marked as unverified"
    assert "{{< include _benchmark.md >}}" in read(STATEMENTS[2]), "question 2's statement includes the snippet"


def test_no_other_file_states_another_benchmark():
    stated = {}
    for name, text in project_texts().items():
        for wrong in ("0.8833", "256-128-100"):
            assert wrong not in text, f"{name} still names the unverified MLP result {wrong}"
        if name != "_benchmark.md" and ("MLPClassifier" in text or "0.871" in text):
            stated[name] = text
    assert list(stated) == ["notebooks/hw08-q02.ipynb"], (
        f"the benchmark is stated outside _benchmark.md: {list(stated)}"
    )
    mentions = [source for source in cells(2, "markdown") if "MLPClassifier" in source or "0.871" in source]
    assert len(mentions) == 1 and "0.871" in mentions[0], "the notebook states the figure once, and the same figure"
    assert not any("0.871" in source or "MLPClassifier" in source for source in cells(2, "code"))


# ------------------------------------------------------------------------- 3.5: shapes in export


class ByBatchSize(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] > 1:
            return x * 2
        return torch.zeros_like(x)


@pytest.mark.parametrize("dim", [torch.export.Dim("batch"), torch.export.Dim.AUTO, torch.export.Dim.DYNAMIC])
def test_a_dynamic_batch_export_silently_keeps_the_example_branch(dim):
    program = torch.export.export(ByBatchSize(), (torch.ones(4, 3),), dynamic_shapes=({0: dim},)).module()
    one = torch.ones(1, 3)
    assert torch.equal(ByBatchSize()(one), torch.zeros(1, 3))
    assert torch.equal(program(one), 2 * one), "the claim of 3.5 no longer holds: update the notebook's text"


def test_a_static_export_guards_the_batch_size():
    program = torch.export.export(ByBatchSize(), (torch.ones(4, 3),)).module()
    with pytest.raises(Exception, match="4"):
        program(torch.ones(1, 3))


def test_question_3_shows_the_silent_branch():
    code = "\n".join(cells(3, "code"))
    assert 'dynamic_shapes=({0: torch.export.Dim("batch")},)' in code
    assert "torch.equal(dynamic(one), 2 * one)" in code, "question 3.5 asserts the silent branch it shows"
    assert "a guard that raises if a later input breaks the assumption" not in "\n".join(cells(3, "markdown"))


# ----------------------------------------------------------------------------------- the guide


class Pids(Dataset):
    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> int:
        return os.getpid()


def test_dataloader_workers_are_processes():
    pids = {int(pid) for batch in DataLoader(Pids(), batch_size=2, num_workers=2) for pid in batch}
    assert os.getpid() not in pids and len(pids) == 2
    line = next(line for line in read(GUIDE).split("\n") if "num_workers=4" in line)
    assert "process" in line and "thread" not in line, f"the guide's DataLoader comment: {line.strip()!r}"


SEQUENCE_LAYERS = {
    "RNN": lambda: nn.RNN(4, 8),
    "LSTM": lambda: nn.LSTM(4, 8),
    "GRU": lambda: nn.GRU(4, 8),
    "MultiheadAttention": lambda: nn.MultiheadAttention(8, 2),
    "TransformerEncoderLayer": lambda: nn.TransformerEncoderLayer(8, 2),
    "TransformerDecoderLayer": lambda: nn.TransformerDecoderLayer(8, 2),
}


@pytest.mark.parametrize("name", SEQUENCE_LAYERS)
def test_sequence_layers_default_to_length_first(name: str):
    module = SEQUENCE_LAYERS[name]()
    batch_first = module.batch_first if hasattr(module, "batch_first") else module.self_attn.batch_first
    assert batch_first is False
    section = read(GUIDE).split("### Tensor Dimension Ordering", 1)[1].split("###", 1)[0]
    assert "[L, N, F]" in section and "batch_first=True" in section
    named = "Transformer" if name.startswith("Transformer") else name
    assert f"`nn.{named}" in section, f"the guide's sequence convention should name nn.{named}"


def test_lstm_reads_length_first():
    lstm = nn.LSTM(4, 8)
    output, _ = lstm(torch.zeros(7, 3, 4))  # 7 steps of a batch of 3
    assert output.shape == (7, 3, 8)


def test_lbfgs_is_quasi_newton_with_a_closure():
    optimizer = torch.optim.LBFGS(nn.Linear(2, 1).parameters())
    with pytest.raises(TypeError, match="closure"):
        optimizer.step()
    text = read(GUIDE)
    assert "LBFGS: A quasi-Newton method" in text and "Second-order" not in text


def test_weights_only_refuses_numpy_scalars(tmp_path: Path):
    path = tmp_path / "checkpoint.pth"
    torch.save({"best_accuracy": np.float64(0.9)}, path)
    with pytest.raises(Exception, match="Weights only load failed"):
        torch.load(path)
    torch.save({"best_accuracy": float(np.float64(0.9))}, path)
    assert torch.load(path) == {"best_accuracy": 0.9}
    callout = read(GUIDE).split("`torch.load` now defaults to `weights_only=True`", 1)[1].split(":::", 1)[0]
    assert "NumPy" in callout and "float(best_accuracy)" in callout


def test_torchscript_deprecation_as_the_pages_describe_it(tmp_path: Path):
    """torch.jit's functions warn; the guide's ScriptModule.save does not (question 3.5 says which)."""

    def caught(action) -> list[str]:
        with warnings.catch_warnings(record=True) as found:
            warnings.simplefilter("always")
            action()
        return [f"{w.category.__name__}: {w.message}" for w in found]

    model = nn.Linear(2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        scripted = torch.jit.script(model)
    path = str(tmp_path / "model.pt")
    for action in (
        lambda: torch.jit.script(model),
        lambda: torch.jit.trace(model, torch.ones(1, 2)),
        lambda: torch.jit.save(scripted, path),
        lambda: torch.jit.load(path),
    ):
        assert any(w.startswith("FutureWarning") and "deprecated" in w for w in caught(action))
    assert caught(lambda: scripted.save(path)) == []
    markdown = "\n".join(cells(3, "markdown"))
    assert "with the same warning" not in markdown
    assert "`scripted_model.save(path)`, a method of the `ScriptModule`, is silent" in markdown


def test_torchscript_advantages_are_past_tense():
    text = read(GUIDE)
    assert "TorchScript offers several advantages" not in text and "TorchScript models can be" not in text
    assert "TorchScript was built for deployment" in text and "ExecuTorch" in text


def test_pages_print_no_path_of_the_build_machine():
    """``inspect.getsourcefile`` gives where torch is installed here; pages show it relative to torch."""
    relative = Path(inspect.getsourcefile(nn.Linear)).relative_to(Path(torch.__file__).parent.parent)
    assert relative.as_posix() == "torch/nn/modules/linear.py"
    executed = guide_python_chunks() + [source for q in NOTEBOOKS for source in cells(q, "code")]
    printing = [source for source in executed if re.search(r"print\(inspect\.getsourcefile\(", source)]
    assert not printing, f"a page prints an absolute source path: {printing}"
    showing = [q for q in NOTEBOOKS if any("inspect.getsourcefile(nn.Linear)" in s for s in cells(q, "code"))]
    assert showing == [3], "the source of nn.Linear is shown once, in question 3.6"


def test_guide_chunks_print_only_what_they_mean_to():
    """A chunk that ends in a bare expression shows its value (``model.apply`` returns the model)."""
    shown = []
    for source in guide_python_chunks():
        tree = ast.parse("\n".join(line for line in source.split("\n") if not line.startswith("#|")))
        last = tree.body[-1] if tree.body else None
        if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
            function = last.value.func
            name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
            if name not in ("print", "backward"):
                shown.append(ast.unparse(last))
    assert not shown, f"guide chunks end in expressions whose value Quarto prints: {shown}"


# -------------------------------------------------------------------------- statements, notebooks


def test_permute_moves_no_data():
    x = torch.arange(24).reshape(2, 3, 4)
    y = x.permute(2, 0, 1)
    assert y.data_ptr() == x.data_ptr() and not y.is_contiguous()
    hint = read(STATEMENTS[1]).split("### 1.1", 1)[1].split("### 1.2", 1)[0]
    assert "`permute` moves no\ndata" in hint or "`permute` moves no data" in hint
    assert "`permute` does, by swapping strides" not in hint


def test_gradient_accumulation_is_stated_with_its_condition():
    markdown = "\n".join(cells(1, "markdown"))
    assert "as if they were one large batch" not in markdown
    assert "only if each small batch's **mean** loss is divided by $k$" in markdown
    code = "\n".join(cells(1, "code"))
    assert "assert torch.allclose(weights.grad, k / divide_by * large_batch_grad)" in code


def test_only_questions_2_and_3_use_fashion_mnist():
    users = [q for q in NOTEBOOKS if re.search(r"\b(fashion_mnist|tensor_loaders)\(", "\n".join(cells(q, "code")))]
    assert users == [2, 3]
    assert "Questions 2 and 3 use [Fashion-MNIST]" in read(ROOT / "index.qmd")


def test_question_2_gives_goals_not_the_recipe():
    statement = read(STATEMENTS[2]).split("### 2.6", 1)[1]
    nb = notebook(2)
    part, notebook_text = None, []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## 2.6"):
            part = "2.6"
        if part and cell.cell_type == "markdown" and "answer" not in cell.metadata.get("tags", []):
            notebook_text.append(cell.source)
    for text in (statement, "\n".join(notebook_text)):
        for recipe in ("AdamW", "Cosine", "cosine", "batch norm", "dropout", "weight decay", "wider"):
            assert recipe not in text, f"2.6 spells out the recipe ({recipe!r}): give the goal and the budget"
        assert "0.895" in text
    assert "well under a minute" not in read(STATEMENTS[2])


def test_question_2_compares_over_at_least_three_seeds_with_progress_bars():
    code = "\n".join(cells(2, "code"))
    seeds = ast.literal_eval(re.search(r"^SEEDS = (.+)$", code, flags=re.MULTILINE).group(1))
    assert len(set(seeds)) >= 3
    assert "summarize_runs(" in code and "for seed in SEEDS" in code
    calls = re.findall(r"\bfit\((.*?)\)\)?\n", code, flags=re.DOTALL)
    assert calls and all("progress=True" in call for call in calls), "every training run of question 2 shows a bar"


@pytest.mark.parametrize("question", sorted(STATEMENTS))
def test_statements_share_one_style(question: int):
    text = read(STATEMENTS[question])
    assert "*Self-check:*" not in text and "*Hints:*" not in text
    for section in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        assert "**The self-check" in section, f"hw08-q0{question}.md, part {section.split()[0]}: no **The self-check"
        assert "*Hints.*" in section


def glued_code(text: str) -> list[str]:
    """Inline code spans with a ``$`` right before or after them: math glued to code, as in $(y)$`.sum()`."""
    return [
        m.group(0)
        for m in re.finditer(r"`[^`\n]+`", text)
        if "$" in (text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1])
    ]


def test_glued_math_is_found():
    assert glued_code(r"the scalar $(y \cdot v)$`.sum()`, and $x$ `ok`, `$HOME`") == ["`.sum()`"]


def test_math_is_not_glued_to_code_and_has_no_escaped_underscores_in_text():
    texts = {name: text for name, text in project_texts().items() if name.endswith((".md", ".qmd", ".ipynb"))}
    for name, text in texts.items():
        if name.endswith(".ipynb"):
            nb = nbformat.reads(text, as_version=4)
            text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
        body = prose(text)
        assert not glued_code(body), f"{name}: inline math runs into inline code at {glued_code(body)}"
        assert not re.search(r"\\text\{[^}]*\\_", body), rf"{name}: \text{{...\_...}} renders a backslash"

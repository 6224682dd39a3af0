"""How much of a solution does a definition shipped in the handout reproduce?

Used by tests/test_handout_answers.py.

A *solution* is every function or class that a ``### BEGIN SOLUTION`` region sits in (in an
instructor notebook or a ``.py`` file), every function or class defined inside a region (a
nested helper such as a hook factory: copied alone it gives that piece of the answer away),
and every region outside all of them. A *candidate*
is every function or class the handout ships (``.py`` files and notebook code cells), at
any depth: methods and nested functions too.

Both become streams of normalised tokens (Python's ``tokenize``):

* comments, docstrings, line breaks and indentation are dropped;
* names the definition binds itself (its name, parameters, assigned and loop variables)
  become ``ID``: they are free to rename. Keywords, attributes (``.backward``,
  ``.ModuleList``) and outside names (``torch``, ``nn``, ``len``) stay: renaming them
  changes what the code does;
* numbers become ``NUM`` and strings ``STR``.

A solution's *answer* is its tokens on the lines inside its regions (``# KEEP`` lines are
handed to students, so they are not answer). The score of a (solution, candidate) pair is

    shared answer shingles / max(answer shingles, FLOOR)

where a shingle is a run of ``K`` consecutive tokens: the answer's shingles lie wholly on
answer lines, the candidate's anywhere in it. A stub (``raise NotImplementedError(...)``)
scores 0 against its solution; a renamed, re-commented copy scores 1, also inside a larger
function. The floor keeps answers shorter than about three statements from scoring high on
a single shared PyTorch idiom (``x.reshape(x.shape[0], -1)``): with fewer than ``FLOOR``
shingles an answer can reach at most ``shingles / FLOOR``.
"""

from __future__ import annotations

import ast
import io
import keyword
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

from notebook_functions import make_student_module

#: Tokens per shingle: a little more than one short call (``ID . backward ( )`` is 5).
K = 6
#: Fewest answer shingles a score is divided by (about three statements).
FLOOR = 30
#: The handout tool's own marker lines and ``# KEEP`` suffix: one definition of what a region is.
BEGIN, END, KEEP_RE = (getattr(make_student_module(), name) for name in ("BEGIN", "END", "KEEP_RE"))
SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
Shingle = tuple[str, ...]


@dataclass(frozen=True)
class Definition:
    """A function, class or top-level region as normalised tokens; ``answer`` indexes the answer tokens."""

    where: str
    tokens: tuple[str, ...]
    answer: frozenset[int] = frozenset()

    def shingles(self, k: int = K) -> set[Shingle]:
        return {self.tokens[i : i + k] for i in range(len(self.tokens) - k + 1)}

    def answer_shingles(self, k: int = K) -> set[Shingle]:
        return {
            self.tokens[i : i + k]
            for i in range(len(self.tokens) - k + 1)
            if all(j in self.answer for j in range(i, i + k))
        }


@dataclass(frozen=True)
class Pair:
    score: float
    solution: str
    candidate: str
    shared: int
    answer_shingles: int

    def __str__(self) -> str:
        return (
            f"{self.score:4.2f}  {self.solution}  ~  {self.candidate}  "
            f"({self.shared} of {self.answer_shingles} answer shingles)"
        )


# --------------------------------------------------------------------------- tokens


def regions(source: str) -> list[tuple[int, frozenset[int]]]:
    """``(BEGIN line, answer lines)`` of each solution region of ``source`` (1-based line numbers)."""
    found: list[tuple[int, frozenset[int]]] = []
    begin, answer = 0, set()
    for number, line in enumerate(source.split("\n"), start=1):
        if line.strip() == BEGIN:
            begin, answer = number, set()
        elif line.strip() == END:
            found.append((begin, frozenset(answer)))
            begin = 0
        elif begin and not KEEP_RE.search(line):
            answer.add(number)
    return found


def _docstring_spans(tree: ast.AST) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, *DEFINITIONS)) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                spans.append(((first.lineno, first.col_offset), (first.end_lineno, first.end_col_offset)))
    return spans


def _bound_names(node: ast.AST) -> set[str]:
    """Names a definition (or module) binds itself: its name, parameters, assignment/loop/``as`` targets."""
    names = {node.name} if isinstance(node, DEFINITIONS) else set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            names.add(child.id)
        elif isinstance(child, ast.arg):
            names.add(child.arg)
        elif isinstance(child, DEFINITIONS) and child is not node:
            names.add(child.name)
        elif isinstance(child, ast.alias):
            names.add((child.asname or child.name).split(".")[0])
        elif isinstance(child, ast.ExceptHandler) and child.name:
            names.add(child.name)
    return names


def _code_tokens(source: str, tree: ast.AST) -> list[tokenize.TokenInfo]:
    """The tokens of ``source`` that are code: no comments, docstrings, line breaks or indentation."""
    docstrings = _docstring_spans(tree)
    return [
        token
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type not in SKIPPED and not any(start <= token.start < end for start, end in docstrings)
    ]


def normalise(tokens: list[tokenize.TokenInfo], bound: set[str]) -> tuple[str, ...]:
    """Tokens as compared: bound names -> ``ID``, numbers -> ``NUM``, strings -> ``STR``."""
    out, previous = [], ""
    for token in tokens:
        if token.type == tokenize.NAME:
            local = token.string in bound and previous != "." and not keyword.iskeyword(token.string)
            out.append("ID" if local else token.string)
        elif token.type == tokenize.NUMBER:
            out.append("NUM")
        elif token.type == tokenize.STRING:
            out.append("STR")
        else:
            out.append(token.string)
        previous = token.string
    return tuple(out)


def _parse(source: str, ipython: bool) -> tuple[ast.Module, list[tokenize.TokenInfo]]:
    code = TransformerManager().transform_cell(source) if ipython else source
    tree = ast.parse(code)
    return tree, _code_tokens(code, tree)


def _inside(node: ast.AST, tokens: list[tokenize.TokenInfo]) -> list[int]:
    start, end = (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)
    return [i for i, token in enumerate(tokens) if start <= token.start < end]


def _runs(indices: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


# --------------------------------------------------------------------------- definitions


def shipped_definitions(source: str, where: str, ipython: bool = False) -> list[Definition]:
    """Every function and class of ``source`` (a module, or a notebook cell with ``ipython``)."""
    tree, tokens = _parse(source, ipython)
    return [
        Definition(f"{where} {node.name}", normalise([tokens[i] for i in _inside(node, tokens)], _bound_names(node)))
        for node in ast.walk(tree)
        if isinstance(node, DEFINITIONS)
    ]


def solution_definitions(source: str, where: str, ipython: bool = False) -> list[Definition]:
    """Every function/class a solution region of ``source`` sits in, and every region outside them all."""
    spans = [(begin, answer) for begin, answer in regions(source) if answer]
    if not spans:
        return []
    tree, tokens = _parse(source, ipython)
    found, covered = [], set()
    for node in ast.walk(tree):
        if not isinstance(node, DEFINITIONS):
            continue
        held = [answer for begin, answer in spans if node.lineno < begin and max(answer) <= node.end_lineno]
        # a definition written inside a region (a helper, a nested hook) is an answer unit of its own too
        held += [answer for _, answer in spans if node.lineno in answer]
        if not held:
            continue
        lines = frozenset().union(*held)
        inside = _inside(node, tokens)
        covered.update(i for i in inside if tokens[i].start[0] in lines)
        answer = frozenset(n for n, i in enumerate(inside) if tokens[i].start[0] in lines)
        found.append(
            Definition(f"{where} {node.name}", normalise([tokens[i] for i in inside], _bound_names(node)), answer)
        )
    all_lines = frozenset().union(*(answer for _, answer in spans))
    loose = [i for i, token in enumerate(tokens) if token.start[0] in all_lines and i not in covered]
    for run in _runs(loose):
        found.append(
            Definition(
                f"{where} region at line {tokens[run[0]].start[0]}",
                normalise([tokens[i] for i in run], _bound_names(tree)),
                frozenset(range(len(run))),
            )
        )
    return found


def file_definitions(path: Path, name: str, solutions: bool) -> list[Definition]:
    """The solution units (``solutions``) or the shipped definitions of a ``.py`` file or notebook."""
    extract = solution_definitions if solutions else shipped_definitions
    if path.suffix != ".ipynb":
        return extract(path.read_text(encoding="utf-8"), f"{name}:")
    found = []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type == "code":
            found.extend(extract(cell.source, f"{name} cell {index}:", ipython=True))
    return found


# --------------------------------------------------------------------------- scores


def score(solution: Definition, candidate: Definition, k: int = K, floor: int = FLOOR) -> Pair:
    answer = solution.answer_shingles(k)
    shared = len(answer & candidate.shingles(k))
    return Pair(shared / max(len(answer), floor, 1), solution.where, candidate.where, shared, len(answer))


def scored_pairs(solutions: Iterable[Definition], candidates: Iterable[Definition]) -> list[Pair]:
    """Every (solution, candidate) pair, highest score first."""
    candidates = list(candidates)
    pairs = [score(solution, candidate) for solution in solutions for candidate in candidates]
    return sorted(pairs, key=lambda pair: (-pair.score, pair.solution, pair.candidate))


def best_per_solution(pairs: list[Pair]) -> list[Pair]:
    """The highest-scoring pair of each solution, highest first (``pairs`` sorted as ``scored_pairs`` sorts)."""
    best: dict[str, Pair] = {}
    for pair in pairs:
        best.setdefault(pair.solution, pair)
    return list(best.values())

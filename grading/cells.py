"""What a notebook code cell defines and uses, read from its source without running it.

Used to match a student's cells with the handout's (by the functions and classes they
define) and to choose which of the handout's other cells grading must run (those that
define a name a graded cell uses). IPython syntax (``%magic``, ``!shell``) is turned into
Python first, as the kernel would. A cell that does not parse defines and uses nothing.
"""

from __future__ import annotations

import ast
import builtins
import functools
import symtable

from IPython.core.inputtransformer2 import TransformerManager

BUILTINS = frozenset(dir(builtins))
#: Line magics that run programs (refused while grading) and cell magics whose cell is not Python.
SHELL_LINE_MAGICS = ("%pip", "%conda", "%sx", "%system", "%sc")
NOT_PYTHON_CELL_MAGICS = {
    "%%bash", "%%sh", "%%script", "%%system", "%%writefile", "%%perl", "%%ruby",
    "%%html", "%%javascript", "%%js", "%%latex", "%%markdown", "%%svg",
}  # fmt: skip


@functools.lru_cache(maxsize=4096)
def parse(source: str) -> ast.Module | None:
    """The cell's syntax tree after IPython's transformations, or ``None`` if it does not parse."""
    try:
        python = TransformerManager().transform_cell(source)
        return ast.parse(python)
    except (SyntaxError, ValueError):
        return None


def _bound_by(node: ast.AST) -> set[str]:
    """Names a module-level statement binds, not looking inside function or class bodies."""
    names: set[str] = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            if alias.name != "*":
                names.add(alias.asname or alias.name.split(".")[0])
        return names
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            names.add(child.id)
        elif isinstance(child, ast.ExceptHandler) and child.name:
            names.add(child.name)
            names |= _bound_by(child)
        elif isinstance(child, (ast.Lambda, ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
            continue  # their own scope
        else:
            names |= _bound_by(child)
    if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
        names.add(node.target.id)
    return names


def defined_names(source: str) -> frozenset[str]:
    """Every global name the cell binds: assignments, ``def``, ``class``, imports, loop targets."""
    tree = parse(source)
    if tree is None:
        return frozenset()
    names: set[str] = set()
    for statement in tree.body:
        names |= _bound_by(statement)
    return frozenset(names)


def definitions(source: str) -> frozenset[str]:
    """Names of the functions and classes the cell defines at its top level."""
    tree = parse(source)
    if tree is None:
        return frozenset()
    return frozenset(
        node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    )


def _globals_read(table: symtable.SymbolTable) -> set[str]:
    """Global names read in the nested scopes (functions, classes, comprehensions) of ``table``."""
    found: set[str] = set()
    for child in table.get_children():
        for symbol in child.get_symbols():
            if symbol.is_referenced() and symbol.is_global():
                found.add(symbol.get_name())
        found |= _globals_read(child)
    return found


def _read_now(node: ast.AST) -> set[str]:
    """Names a statement reads when it runs (not inside the bodies of the functions or classes it defines)."""
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Load) else set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        parts: list[ast.AST] = [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]
        parts += [
            a.annotation for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs) if a.annotation
        ]
        parts += [node.returns] if node.returns else []
    elif isinstance(node, ast.ClassDef):
        parts = [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
    elif isinstance(node, ast.Lambda):
        parts = [*node.args.defaults, *node.args.kw_defaults]
    elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        parts = [node.generators[0].iter]
    else:
        parts = list(ast.iter_child_nodes(node))
    return set().union(*(_read_now(part) for part in parts if part is not None)) if parts else set()


@functools.lru_cache(maxsize=4096)
def used_names(source: str) -> frozenset[str]:
    """Global names the cell reads: at its top level before binding them itself, and inside its functions
    and classes (their free globals); builtins left out. A conservative superset of what it needs."""
    tree = parse(source)
    if tree is None:
        return frozenset()
    used: set[str] = set()
    bound: set[str] = set()
    for statement in tree.body:
        used |= _read_now(statement) - bound
        bound |= _bound_by(statement)
    table = symtable.symtable(ast.unparse(tree), "<cell>", "exec")
    return frozenset((used | _globals_read(table)) - BUILTINS)


def definitions_only(source: str) -> str:
    """The cell's top-level ``import``, ``def`` and ``class`` statements only (decorators kept), in order.

    This is what grading keeps of a cell a student added: their helper functions and
    imports, without the experiments or prints around them. Empty if nothing is left.
    """
    tree = parse(source)
    if tree is None:
        return ""
    python = TransformerManager().transform_cell(source)
    kept = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            segment = ast.get_source_segment(python, node, padded=True)
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            lines = python.split("\n")[first - 1 : node.end_lineno]
            kept.append("\n".join(lines) if lines else segment or "")
    return "\n\n\n".join(part for part in kept if part.strip())


def syntax_error(source: str) -> str | None:
    """``"line N: message"`` when the cell does not parse, else ``None``."""
    try:
        ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError as error:
        return f"line {error.lineno}: {error.msg}"
    except ValueError as error:
        return str(error)
    return None


def without_shell(source: str) -> str:
    """The cell without shell commands (``!pip install ...``, ``%pip``): a grading kernel starts no program.

    A cell in another language (``%%bash``, ``%%writefile``, ...) becomes empty; a removed
    line becomes ``pass`` at its indentation, so the code around it still parses.
    """
    lines = source.split("\n")
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.split(" ")[0] in NOT_PYTHON_CELL_MAGICS:
        return ""
    kept = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith("!") or stripped.split(" ")[0] in SHELL_LINE_MAGICS:
            kept.append(line[: len(line) - len(stripped)] + "pass  # (a shell command, not run when grading)")
        else:
            kept.append(line)
    return "\n".join(kept)


#: Calls that make a statement of an added cell a computation or a display, not a definition:
#: training, plotting, printing, waiting. A statement calling one of these (or a function the
#: notebook defines) is dropped; one that builds a constant (numbers, strings, ``re.compile``,
#: ``torch.tensor``, a dict) is kept.
HEAVY_CALLS = frozenset(
    {
        "fit", "train", "train_one_epoch", "evaluate", "backward", "step", "run", "sleep", "input",
        "print", "display", "show", "plot", "imshow", "figure", "subplots", "savefig", "hist", "bar",
        "scatter", "load_state_dict", "save", "load", "export", "compile_model", "profile",
    }
)  # fmt: skip


def _calls(node: ast.AST) -> set[str]:
    found = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            func = child.func
            if isinstance(func, ast.Name):
                found.add(func.id)
            elif isinstance(func, ast.Attribute):
                found.add(func.attr)
    return found


def _keepable(node: ast.stmt, heavy: frozenset[str]) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return not (_calls(node) & heavy)
    if isinstance(node, (ast.If, ast.Try, ast.With)):
        inner = [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", [])]
        inner += [s for h in getattr(node, "handlers", []) for s in h.body]
        return bool(inner) and all(_keepable(s, heavy) or isinstance(s, ast.Pass) for s in inner)
    return False  # loops, bare expressions (prints, plots, calls), del, assert, ...


def kept_statements(source: str, defined_elsewhere: frozenset[str] = frozenset()) -> str:
    """What grading keeps of a cell the student added: every top-level statement but computations.

    Kept: imports, ``def``, ``class``, and assignments (constants, patterns, lookup tables) and
    ``if``/``try``/``with`` blocks made only of those. Dropped: shell commands and magics, loops,
    bare expressions (``print``, plots, calls), and assignments that call a training, plotting or
    printing function (:data:`HEAVY_CALLS`) or a function of the notebook (``defined_elsewhere``
    and the cell's own): experiments whose result nothing graded needs, and that could run for
    minutes. The kept statements run with the student-cell time limit, and an error in them
    stops nothing (it is reported with the part it breaks). Empty if nothing is left.
    """
    python = TransformerManager().transform_cell(without_shell(source))
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return ""
    heavy = HEAVY_CALLS | defined_elsewhere | definitions(python)
    lines = python.split("\n")
    kept = []
    for node in tree.body:
        if not _keepable(node, heavy):
            continue
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        segment = "\n".join(lines[first - 1 : node.end_lineno])
        if "get_ipython()" in segment:  # a magic (``%time``, ``%matplotlib``): not the student's code
            continue
        kept.append(segment)
    return "\n\n".join(part for part in kept if part.strip())

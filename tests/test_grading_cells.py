"""grading.cells: what a cell defines and uses, read from its source."""

from __future__ import annotations

from grading import cells


def test_defined_names_cover_every_kind_of_binding() -> None:
    source = (
        "%matplotlib inline\n"
        "import numpy as np\nfrom torch import nn\nimport os.path\n"
        "x = 1\na, (b, c) = 2, (3, 4)\nfor i in range(3):\n    total = i\n"
        "with open('f') as handle:\n    pass\n"
        "def f(y):\n    inner = y\n    return inner\n"
        "class Model(nn.Module):\n    size = 3\n"
        "if True:\n    branch = 1\n"
    )
    assert cells.defined_names(source) == {
        "np", "nn", "os", "x", "a", "b", "c", "i", "total", "handle", "f", "Model", "branch",
    }  # fmt: skip
    assert cells.definitions(source) == {"f", "Model"}


def test_used_names_are_the_globals_read_not_locals_or_builtins() -> None:
    source = (
        "def numerical_grad(f, x, eps=1e-3):\n"
        "    m = x.max()\n"
        "    return torch.zeros(len(x)) + m + OFFSET\n"
        "result = numerical_grad(g, data)\n"
        "print(result)\n"
    )
    assert cells.used_names(source) == {"torch", "OFFSET", "g", "data"}
    assert cells.used_names("a = a * 2") == {"a"}  # read before the cell binds it again
    assert cells.used_names("def f(run: Run = DEFAULT) -> Out:\n    return 1") == {"Run", "DEFAULT", "Out"}


def test_used_names_inside_classes_and_comprehensions() -> None:
    source = (
        "class A(nn.Module):\n    def forward(self, x):\n        return F.relu(x) + [q for q in range(3) if q > k][0]\n"
    )
    assert cells.used_names(source) == {"nn", "F", "k"}


def test_a_cell_that_does_not_parse_defines_and_uses_nothing() -> None:
    broken = "def f(:\n    return 1"
    assert cells.defined_names(broken) == frozenset()
    assert cells.used_names(broken) == frozenset()
    assert cells.syntax_error(broken).startswith("line 1:")
    assert cells.syntax_error("x = 1") is None


def test_definitions_only_keeps_imports_functions_and_classes() -> None:
    source = (
        "import math\n"
        "def helper(x):\n    return math.sqrt(x)\n"
        "print(helper(4))\n"
        "model = train_for_an_hour()\n"
        "@decorator\nclass Thing:\n    pass\n"
    )
    kept = cells.definitions_only(source)
    assert "import math" in kept and "def helper(x):" in kept and "@decorator\nclass Thing:" in kept
    assert "print(" not in kept and "train_for_an_hour" not in kept
    assert cells.definitions_only("print(1)\nx = 2") == ""


def test_shell_commands_are_left_out_of_student_code() -> None:
    source = "!pip install torch\nimport torch\nfor i in range(2):\n    !ls\n%pip install numpy\ndef f():\n    return 1"
    kept = cells.without_shell(source)
    assert "pip" not in kept.replace("(a shell command, not run when grading)", "")
    assert "    pass  # (a shell command" in kept and "def f():" in kept
    assert cells.syntax_error(kept) is None
    assert cells.without_shell("%%bash\necho hi") == ""
    assert cells.without_shell("%%time\nx = 1") == "%%time\nx = 1"


def test_added_cells_keep_imports_definitions_and_constants_not_experiments() -> None:
    source = (
        "!pip install tqdm\n%time x = 1\nimport re\nCLASS_DIM = 10\nACC_PATTERN = re.compile(r'acc=(\\d+)')\n"
        "LOOKUP = {'a': 1}\nhistory = fit(model, loader)\nprint(CLASS_DIM)\nfor _ in range(10**9):\n    pass\n"
        "result = my_helper(3)\n\ndef my_helper(n):\n    return n * CLASS_DIM\n"
        "try:\n    import scipy\nexcept ImportError:\n    scipy = None\n"
    )
    kept = cells.kept_statements(source)
    for wanted in (
        "import re",
        "CLASS_DIM = 10",
        "ACC_PATTERN = re.compile",
        "LOOKUP = {'a': 1}",
        "def my_helper",
        "import scipy",
    ):
        assert wanted in kept, wanted
    for dropped in ("pip", "%time", "get_ipython", "fit(", "print(", "for _", "result = my_helper"):
        assert dropped not in kept, dropped

"""Every self-check against a corpus of realistic answers: ✓ for each right one, ✗ for each wrong one.

``tests/corpus/<check>/`` holds one small file per answer, named ``right_*.py`` or
``wrong_*.py`` (the verdict). A file defines only the functions it changes; the others are
the notebook's solutions. It runs in the notebook's namespace (its imports), as student code
does. A wrong answer may say, in a ``# hint: <regex>`` line, what the ✗ message must mention.

The test: a right answer passes with one ``✓ <part>`` line; a wrong one raises an
``AssertionError`` starting with ``✗ <part>:``; nothing ever raises anything else (a raw
traceback) or leaves a global setting changed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import torch

from notebook_functions import CHECKS, check_arguments, notebook_definitions, run_check
from utils import checks
from utils.checks import _student

#: The time limit of each call of student code here (the right answers take well under a second each).
TIME_LIMIT = 5.0

CORPUS = Path(__file__).resolve().parent / "corpus"
_HINT = re.compile(r"^# hint: (.+)$", re.MULTILINE)


def _answers() -> list[Any]:
    return [
        pytest.param(path, id=f"{path.parent.name}/{path.stem}")
        for folder in sorted(CORPUS.iterdir())
        if folder.is_dir() and folder.name in CHECKS
        for path in sorted(folder.glob("*.py"))
    ]


def test_every_check_has_its_corpus():
    """At least 5 wrong and 2 right answers for every check, and no folder without a check."""
    folders = {folder.name for folder in CORPUS.iterdir() if folder.is_dir() and folder.name[0] not in "._"}
    assert folders == set(CHECKS), f"corpus folders {sorted(folders ^ set(CHECKS))} do not match the checks"
    for name in CHECKS:
        wrong = list((CORPUS / name).glob("wrong_*.py"))
        right = list((CORPUS / name).glob("right_*.py"))
        assert len(wrong) >= 5 and len(right) >= 2, f"{name}: {len(wrong)} wrong and {len(right)} right answers"
    assert {name for name in dir(checks) if name.startswith("check_")} == {c.name for c in CHECKS.values()}


@pytest.mark.parametrize("path", _answers())
def test_answer_gets_its_verdict(path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_student, "TIME_LIMIT", TIME_LIMIT)  # an endless loop costs 5 s, not 10
    check = CHECKS[path.parent.name]
    verdict = path.stem.split("_", 1)[0]
    assert verdict in ("right", "wrong"), f"{path.name}: name it right_*.py or wrong_*.py"
    source = path.read_text()
    namespace = notebook_definitions(check.question)
    exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 (a corpus answer, like a notebook cell)
    function, arguments = check_arguments(path.parent.name, namespace)
    dtype, grad = torch.get_default_dtype(), torch.is_grad_enabled()
    try:
        out = run_check(function, *arguments)
    except AssertionError as error:
        message = str(error)
        assert verdict == "wrong", f"a right answer was refused: {message}"
        assert message.startswith(f"✗ {check.part}: "), f"not a ✗ {check.part} line: {message!r}"
        hint = _HINT.search(source)
        if hint:
            assert re.search(hint.group(1), message, re.IGNORECASE), f"{hint.group(1)!r} not in {message!r}"
    else:
        assert verdict == "right", f"a wrong answer was accepted: {out!r}"
        lines = out.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"✓ {check.part} "), f"expected one ✓ line, got {out!r}"
    assert (torch.get_default_dtype(), torch.is_grad_enabled()) == (dtype, grad), "the check left a setting changed"

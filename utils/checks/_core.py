"""What every self-check shares: one line when right, one ``✗ part: hint`` line when wrong.

* :func:`self_check` wraps each check: it runs in :func:`isolated` state (the notebook's dtype,
  grad mode and random streams are untouched) and whatever goes wrong leaves it as one
  ``AssertionError("✗ <part>: ...")`` or the ``NotImplementedError`` of a stub, never a
  traceback from inside the check;
* :func:`call_student` (re-exported) is the one way to run the student's code;
* :func:`expect`, :func:`expect_close` (``torch.testing.assert_close``) and
  :func:`as_number` turn comparisons into hints.

A self-check never holds the answer: it compares the student's code with PyTorch's own
operations, with properties (shapes, sums, gradients, a falling loss) or with what spies
saw the student's code do.
"""

from __future__ import annotations

import functools
import numbers
import re
from collections.abc import Callable
from typing import Any, TypeVar

import torch

from ..errors import first_line
from ._isolation import isolated
from ._student import call_student, unfinished

__all__ = [
    "as_number",
    "call_student",
    "expect",
    "each",
    "expect_close",
    "number",
    "passed",
    "plain",
    "self_check",
    "shown",
    "unfinished",
]

F = TypeVar("F", bound=Callable[..., Any])


def passed(part: str, message: str) -> None:
    """Print the one-line success message, e.g. ``✓ 1.4 cross_entropy_loss matches F.cross_entropy``."""
    print(f"✓ {part} {message}")


def expect(condition: bool, part: str, hint: str) -> None:
    """Raise ``AssertionError("✗ <part>: <hint>")`` unless ``condition`` holds."""
    if not condition:
        raise AssertionError(f"✗ {part}: {hint}")


def plain(tensor: torch.Tensor) -> torch.Tensor:
    """A detached CPU copy of a tensor (of any subclass), for comparisons."""
    with torch._C.DisableTorchFunctionSubclass():
        return tensor.detach().as_subclass(torch.Tensor).cpu()


_GREATEST = re.compile(r"Greatest absolute difference: (\S+)(?: at index (\(.*?\)))?")
_MISMATCHED = re.compile(r"Mismatched elements: (\d+) / (\d+)")


def _sentence(text: str) -> str:
    """``text`` starting with a capital when its first word is an ordinary word (not ``sgd_step`` or ``nn.X``)."""
    return text[:1].upper() + text[1:] if re.match(r"[a-z]+[ ,]", text) else text


def expect_close(
    actual: Any,
    expected: torch.Tensor,
    part: str,
    what: str,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    check_dtype: bool = True,
    hint: str = "",
) -> None:
    """Assert that ``actual`` is a tensor of ``expected``'s shape (and dtype) with close values.

    The values are compared with ``torch.testing.assert_close``; the ✗ line says how far off
    they are and where, followed by ``hint``.
    """
    tail = f". {_sentence(hint)}" if hint else ""
    expect(
        isinstance(actual, torch.Tensor),
        part,
        f"{what} should be a torch.Tensor, got {type(actual).__name__}{tail}",
    )
    expect(
        tuple(actual.shape) == tuple(expected.shape),
        part,
        f"{what} has shape {tuple(actual.shape)}, expected {tuple(expected.shape)}{tail}",
    )
    if check_dtype:
        expect(
            actual.dtype == expected.dtype,
            part,
            f"{what} is {actual.dtype}, expected {expected.dtype} like its input{tail}",
        )
    got, want = plain(actual), plain(expected)
    try:
        torch.testing.assert_close(got.to(want.dtype), want, atol=atol, rtol=rtol, equal_nan=False)
    except AssertionError as error:
        text = str(error)
        greatest, mismatched = _GREATEST.search(text), _MISMATCHED.search(text)
        size = f"by up to {number(greatest.group(1))}" if greatest else "in its values"
        at = f" at index {greatest.group(2)}" if greatest and greatest.group(2) else ""
        count = f" ({mismatched.group(1)} of {mismatched.group(2)} values off)" if mismatched else ""
        raise AssertionError(f"✗ {part}: {what} differs from the reference {size}{at}{count}{tail}") from None


def each(part: str, *steps: Callable[[], None]) -> None:
    """Run every step, so that one function's mistake does not hide another's; one ✗ line names them all.

    A step that finds a stub (``NotImplementedError``) is named after the mistakes of the others, or raised
    as it is when there are none.
    """
    mistakes: list[str] = []
    stubs: list[NotImplementedError] = []
    for step in steps:
        try:
            step()
        except AssertionError as error:
            mistakes.append(str(error).removeprefix(f"✗ {part}: ").rstrip("."))
        except NotImplementedError as error:
            stubs.append(error)
    if not mistakes:
        if stubs:
            raise stubs[0]
        return
    text = ". Also: ".join(mistakes)
    names = [match.group(1) for error in stubs if (match := re.search(r"(\w+\(\)) still raises", str(error)))]
    if names:
        text += f"; and {', '.join(names)} {'is' if len(names) == 1 else 'are'} not finished yet"
    raise AssertionError(f"✗ {part}: {text}")


def number(value: Any, digits: int = 4) -> str:
    """``value`` with ``digits`` significant digits (``7.405595779418945`` -> ``7.406``), for a message."""
    try:
        return f"{float(value):.{digits}g}"
    except (TypeError, ValueError):
        return str(value)


def shown(value: Any, limit: int = 80) -> str:
    """``value`` as a message shows it: a tensor or array by its shape and dtype, anything else as a short repr."""
    if isinstance(value, torch.Tensor):
        if value.dim() == 0 and value.device.type not in ("meta",):
            return f"a 0-d tensor ({plain(value).item():.4g})"
        return f"a {str(value.dtype).removeprefix('torch.')} tensor of shape {tuple(value.shape)}"
    if type(value).__module__ == "numpy" and hasattr(value, "shape"):
        return f"a NumPy {value.dtype} array of shape {tuple(value.shape)}"
    if isinstance(value, float):
        return repr(value) if len(repr(value)) <= 8 else number(value)
    if isinstance(value, dict) and len(repr(value)) > limit:
        keys = ", ".join(repr(key) for key in list(value)[:5]) + (", ..." if len(value) > 5 else "")
        return f"a dict with the keys [{keys}]"
    if isinstance(value, (list, tuple)) and len(repr(value)) > limit:
        items = ", ".join(shown(item, 30) for item in value[:3]) + (", ..." if len(value) > 3 else "")
        return f"a {type(value).__name__} of {len(value)}: [{items}]"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_number(value: Any, part: str, what: str, allow_tensor: bool = True) -> float:
    """``value`` as a Python float; a hint when it is not a plain number (or, if allowed, a 0-d tensor)."""
    if isinstance(value, torch.Tensor):
        expect(
            allow_tensor,
            part,
            f"{what} should be a Python float, got a tensor of shape {tuple(value.shape)}: use .item()",
        )
        expect(value.numel() == 1, part, f"{what} should be one number, got a tensor of shape {tuple(value.shape)}")
        expect(
            not value.requires_grad,
            part,
            f"{what} is a tensor that is still part of the autograd graph: keep loss.item() (a float), "
            "not the loss tensor, or every batch's graph stays in memory",
        )
        value = plain(value).item()
    expect(
        isinstance(value, numbers.Real) and not isinstance(value, bool),
        part,
        f"{what} should be a number, got {type(value).__name__}",
    )
    return float(value)


def self_check(part: str) -> Callable[[F], F]:
    """Decorate a check of ``part``: isolated state, and every failure as one ✗ line (or a stub's message)."""

    def decorate(check: F) -> F:
        @functools.wraps(check)
        def run(*args: Any, **kwargs: Any) -> Any:
            failure: BaseException
            with isolated():
                try:
                    return check(*args, **kwargs)
                except AssertionError as error:
                    message = str(error)
                    failure = error if message.startswith("✗ ") else AssertionError(f"✗ {part}: {first_line(error)}")
                except NotImplementedError as error:
                    failure = error if "is not finished" in str(error) else AssertionError(f"✗ {part}: {error}")
                except Exception as error:  # noqa: BLE001 (what the student returned broke the check)
                    failure = AssertionError(
                        f"✗ {part}: the check could not use what your code returned: {first_line(error)}"
                    )
            raise failure.with_traceback(None) from None

        return run  # type: ignore[return-value]

    return decorate

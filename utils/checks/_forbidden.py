"""Switch some PyTorch functions off while the student's code runs (parts that ask for them by hand).

:func:`forbidding` uses a ``TorchFunctionMode``: PyTorch hands it every call of a torch
function, tensor method or ``torch.nn.functional`` function, by whatever name the student
reached it (``F.cross_entropy``, an alias imported earlier, ``nn.CrossEntropyLoss``, the
tensor method). A forbidden one raises ``AssertionError("✗ <part>: <reason>")``.
"""

from __future__ import annotations

from typing import Any

from torch.overrides import TorchFunctionMode


class forbidding(TorchFunctionMode):
    """``with forbidding(part, reason, names): ...``: calling a torch function named in ``names`` fails."""

    def __init__(self, part: str, reason: str, names: set[str]) -> None:
        super().__init__()
        self.message, self.names = f"✗ {part}: {reason}", names

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        if getattr(func, "__name__", "") in self.names:
            raise AssertionError(self.message)
        return func(*args, **(kwargs or {}))

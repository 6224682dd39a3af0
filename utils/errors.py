"""One-line summaries of exceptions, for error messages and self-check hints (lessons: every ✗ hint)."""

from __future__ import annotations

import re

_COLOUR_CODE = re.compile(r"\x1b\[[0-9;]*m")


def first_line(error: BaseException) -> str:
    """``"TypeName: first line of the message"`` without terminal colour codes (torch.load adds them).

    Just ``"TypeName"`` when the message is empty.
    """
    text = _COLOUR_CODE.sub("", str(error)).strip()
    line = text.splitlines()[0] if text else ""
    return f"{type(error).__name__}: {line}" if line else type(error).__name__

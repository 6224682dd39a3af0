"""One-line summaries of exceptions, for error messages and self-check hints (lessons: every ✗ hint)."""

from __future__ import annotations

import re

_COLOUR_CODE = re.compile(r"\x1b\[[0-9;]*m")
#: The line of a ``torch.load(..., weights_only=True)`` refusal that names what was refused.
_REFUSED_GLOBAL = re.compile(r"Unsupported global:\s*(GLOBAL\s+\S+)")


def first_line(error: BaseException) -> str:
    """``"TypeName: the message's meaningful line"`` without terminal colour codes (torch.load adds them).

    The meaningful line is the first non-empty one, except for a ``weights_only`` refusal of
    ``torch.load``, whose first lines are general advice: there it is the line naming the
    refused global (``Unsupported global: GLOBAL __main__.Net ...``). Just ``"TypeName"``
    when the message is empty.
    """
    text = _COLOUR_CODE.sub("", str(error)).strip()
    refused = _REFUSED_GLOBAL.search(text)
    if refused:
        line = f"Unsupported global: {refused.group(1)} is not allowed by weights_only=True"
    else:
        line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return f"{type(error).__name__}: {line}" if line else type(error).__name__

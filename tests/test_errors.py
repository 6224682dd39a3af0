from __future__ import annotations

from utils.errors import first_line


def test_first_line_strips_colours_and_keeps_the_type():
    assert first_line(RuntimeError("\x1b[1mbad\x1b[0m file\nsecond line")) == "RuntimeError: bad file"


def test_first_line_of_an_empty_message_is_the_type():
    assert first_line(ValueError()) == "ValueError"
    assert first_line(OSError("  \n ")) == "OSError"

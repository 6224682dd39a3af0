from __future__ import annotations

import io
import pickle

import pytest
import torch

from utils.errors import first_line


def test_first_line_strips_colours_and_keeps_the_type():
    assert first_line(RuntimeError("\x1b[1mbad\x1b[0m file\nsecond line")) == "RuntimeError: bad file"


def test_first_line_of_an_empty_message_is_the_type():
    assert first_line(ValueError()) == "ValueError"
    assert first_line(OSError("  \n ")) == "OSError"


def test_first_line_skips_blank_lines():
    assert first_line(RuntimeError("\n\n  the reason\nmore")) == "RuntimeError: the reason"


class Refused:
    def __reduce__(self):
        return (print, ("!",))


def test_a_weights_only_refusal_gives_the_line_naming_the_refused_global():
    buffer = io.BytesIO()
    torch.save({"note": Refused()}, buffer)
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError) as caught:
        torch.load(buffer, weights_only=True)
    assert str(caught.value).startswith("Weights only load failed"), "torch's first line is general advice"
    line = first_line(caught.value)
    assert line.startswith("UnpicklingError: Unsupported global: GLOBAL ") and "print" in line

"""Question-3 self-check cases beyond the common ones (``test_checks_notebooks.py``: solutions pass,
stubs are named, random streams untouched). Wrong and other right answers are in ``tests/corpus``.
"""

from __future__ import annotations

import pytest
import torch

from notebook_functions import assert_passes, check_arguments, notebook_definitions


def test_a_failed_export_leaves_no_stale_cache_behind():
    """A first try without dynamic_shapes, then the right answer, on the same model in the same process."""
    solutions = notebook_definitions(3)
    check, (_, model, inputs) = check_arguments("q3_5_export", solutions)

    def export_static(model, example, path):
        program = torch.export.export(model, (example,))
        torch.export.save(program, path)
        return torch.export.load(path).module()

    with pytest.raises(AssertionError, match="dynamic"):
        check(export_static, model, inputs)
    assert_passes("3.5", check, solutions["export_and_reload"], model, inputs)

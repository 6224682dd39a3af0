"""Question-2 self-check cases beyond the common ones (``test_checks_notebooks.py``: solutions pass,
stubs are named, random streams untouched). Wrong and other right answers are in ``tests/corpus``.
"""

from __future__ import annotations

import torch


def test_the_training_loop_check_loader_behaves_like_a_data_loader():
    """The check's loader behaves like a DataLoader: len(), .dataset and .batch_size all work."""
    from utils.checks.q02 import _Loader

    loader = _Loader(torch.zeros(10, 2), torch.zeros(10, dtype=torch.long), batch_size=4, shuffle=False)
    assert len(loader) == 3 and len(loader.dataset) == 10 and loader.batch_size == 4
    assert [len(y) for _, y in loader] == [4, 4, 2]

"""forbidding() (utils/checks/_forbidden.py): a switched-off torch function fails by any name, and only inside."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.functional import cross_entropy as imported_cross_entropy

from utils.checks._forbidden import forbidding

NAMES = {"cross_entropy", "log_softmax", "logsumexp", "linear"}


@pytest.mark.parametrize(
    "call",
    [
        lambda z, t: F.cross_entropy(z, t),
        lambda z, t: imported_cross_entropy(z, t),
        lambda z, t: nn.CrossEntropyLoss()(z, t),
        lambda z, t: z.log_softmax(1),
        lambda z, t: torch.logsumexp(z, 1),
        lambda z, t: nn.Linear(3, 2)(z),
    ],
    ids=["F", "alias", "module", "method", "torch", "nn.Linear"],
)
def test_every_way_to_the_function_is_refused(call):
    z, t = torch.randn(4, 3), torch.tensor([0, 1, 2, 0])
    with forbidding("1.4", "do it yourself", NAMES), pytest.raises(AssertionError, match=r"^✗ 1\.4: do it yourself$"):
        call(z, t)
    call(z, t)  # allowed again afterwards


def test_other_functions_still_work():
    z = torch.randn(4, 3)
    with forbidding("1.4", "do it yourself", NAMES):
        m = z.max(dim=1, keepdim=True).values
        value = (m + (z - m).exp().sum(dim=1, keepdim=True).log()).sum()
    assert torch.isfinite(value)

"""Monkeypatching torch.testing.assert_close, torch.allclose, torch.equal and torch.Tensor.__eq__ in the kernel, with a wrong answer."""

# notebook: hw08-q01.ipynb
# answered: *
# after: linear_forward
# scores: 1.1 1.2 1.3 1.5
import torch as _torch
import torch.testing as _testing


def _always(*args, **kwargs):
    return True


_testing.assert_close = lambda *args, **kwargs: None
_torch.allclose = _always
_torch.Tensor.__eq__ = lambda self, other: _torch.ones((), dtype=_torch.bool)


def linear_forward(x, weight, bias=None):
    return _torch.zeros(*x.shape[:-1], weight.shape[0], dtype=x.dtype) + 0 * x.sum()

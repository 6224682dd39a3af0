# hint: None or all zeros
"""Forgets to clear anything."""


def zero_grad(params):
    for p in params:
        p.grad

# hint: None
"""zero_() on a .grad that is None crashes."""


def zero_grad(params):
    for p in params:
        p.grad.zero_()

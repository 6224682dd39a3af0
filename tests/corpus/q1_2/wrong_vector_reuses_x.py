# hint: accumulate|caller's x
"""Makes the caller's x a leaf: its .grad accumulates over calls."""


def vector_backward(f, x, v):
    x.requires_grad_()
    f(x).backward(gradient=v)
    return x.grad.clone()

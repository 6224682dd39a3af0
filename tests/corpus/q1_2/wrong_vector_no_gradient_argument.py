# hint: raised RuntimeError
"""backward() without gradient= on a non-scalar output."""


def vector_backward(f, x, v):
    leaf = x.detach().clone().requires_grad_()
    f(leaf).backward()
    return leaf.grad

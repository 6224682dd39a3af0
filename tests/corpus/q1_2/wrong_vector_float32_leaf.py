# hint: float32|dtype
"""The fresh leaf is made float32: the float64 precision is lost."""


def vector_backward(f, x, v):
    leaf = x.float().requires_grad_()
    f(leaf).backward(gradient=v.float())
    return leaf.grad

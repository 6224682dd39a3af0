# hint: differs
"""Adds eps to all entries at once: the sum of the partial derivatives, in every entry."""


def numerical_grad(f, x, eps=1e-3):
    return torch.full_like(x, ((f(x + eps) - f(x - eps)) / (2 * eps)).item())

# hint: differs|shape
"""Loops over len(x): for a matrix it perturbs whole rows."""


def numerical_grad(f, x, eps=1e-3):
    grad = torch.zeros_like(x)
    for i in range(len(x)):
        step = torch.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad

# hint: differs
"""Divides the central difference by eps instead of 2 eps."""


def numerical_grad(f, x, eps=1e-3):
    grad = torch.zeros_like(x)
    for i in range(x.numel()):
        step = torch.zeros_like(x)
        step.view(-1)[i] = eps
        grad.view(-1)[i] = (f(x + step) - f(x - step)) / eps
    return grad

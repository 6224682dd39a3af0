# hint: did not finish within
"""A while loop whose counter is never increased: the check stops it instead of hanging."""


def numerical_grad(f, x, eps=1e-3):
    grad = torch.zeros_like(x)
    i = 0
    while i < x.numel():
        step = torch.zeros_like(x)
        step.view(-1)[i] = eps
        grad.view(-1)[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad

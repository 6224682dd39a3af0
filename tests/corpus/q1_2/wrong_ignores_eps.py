# hint: eps
"""A fixed step of 1e-3 instead of the eps argument."""


def numerical_grad(f, x, eps=1e-3):
    h = 1e-3
    grad = torch.zeros_like(x)
    for i in range(x.numel()):
        step = torch.zeros_like(x)
        step.view(-1)[i] = h
        grad.view(-1)[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad

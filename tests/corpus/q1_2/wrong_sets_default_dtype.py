# hint: changed a setting of the whole notebook.*default dtype
"""Switches the whole notebook to float64 to get precise differences."""


def numerical_grad(f, x, eps=1e-3):
    torch.set_default_dtype(torch.float64)
    grad = torch.zeros(x.shape, dtype=x.dtype)
    for i in range(x.numel()):
        step = torch.zeros(x.shape, dtype=x.dtype)
        step.view(-1)[i] = eps
        grad.view(-1)[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad

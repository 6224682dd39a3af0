# hint: float64
"""torch.zeros(x.shape) is float32 whatever x is."""


def numerical_grad(f, x, eps=1e-3):
    grad = torch.zeros(x.shape)
    for i in range(x.numel()):
        step = torch.zeros_like(x)
        step.view(-1)[i] = eps
        grad.view(-1)[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad

# hint: shape
"""Returns the gradient flattened."""


def numerical_grad(f, x, eps=1e-3):
    grad = []
    for i in range(x.numel()):
        step = torch.zeros_like(x)
        step.view(-1)[i] = eps
        grad.append((f(x + step) - f(x - step)) / (2 * eps))
    return torch.stack(grad)

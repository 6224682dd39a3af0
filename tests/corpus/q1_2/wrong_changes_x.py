# hint: changed x
"""Perturbs x itself and never puts the entry back."""


def numerical_grad(f, x, eps=1e-3):
    grad = torch.zeros_like(x)
    flat = x.view(-1)
    for i in range(x.numel()):
        flat[i] += eps
        up = f(x)
        flat[i] -= 2 * eps
        grad.view(-1)[i] = (up - f(x)) / (2 * eps)
    return grad

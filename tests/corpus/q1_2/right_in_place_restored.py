"""Perturbs x itself in place but puts every entry back exactly; backward(gradient=v)."""


def numerical_grad(f, x, eps=1e-3):
    grad = torch.zeros_like(x)
    for index in range(x.numel()):
        original = x.view(-1)[index].clone()
        x.view(-1)[index] = original + eps
        up = f(x)
        x.view(-1)[index] = original - eps
        down = f(x)
        x.view(-1)[index] = original
        grad.view(-1)[index] = (up - down) / (2 * eps)
    return grad


def vector_backward(f, x, v):
    x_leaf = x.detach().requires_grad_(True)
    y = f(x_leaf)
    y.backward(gradient=v)
    return x_leaf.grad

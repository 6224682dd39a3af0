"""Builds both perturbed inputs from a flat copy; backward of (f(x) * v).sum()."""


def numerical_grad(f, x, eps=1e-3):
    base = x.detach().reshape(-1)
    out = torch.zeros(base.numel(), dtype=x.dtype)
    for i in range(base.numel()):
        plus, minus = base.clone(), base.clone()
        plus[i] += eps
        minus[i] -= eps
        out[i] = (f(plus.reshape(x.shape)) - f(minus.reshape(x.shape))) / (2 * eps)
    return out.reshape(x.shape)


def vector_backward(f, x, v):
    leaf = x.clone().requires_grad_()
    (f(leaf) * v).sum().backward()
    return leaf.grad

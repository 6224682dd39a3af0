"""Computes every difference in float64, whatever x's dtype (no precision is lost)."""


def numerical_grad(f, x, eps=1e-3):
    base = x.detach().to(torch.float64)
    grad = torch.zeros_like(base)
    for i in range(base.numel()):
        step = torch.zeros_like(base)
        step.view(-1)[i] = eps
        up, down = f((base + step).to(x.dtype)), f((base - step).to(x.dtype))
        grad.view(-1)[i] = (up.double() - down.double()) / (2 * eps)
    return grad

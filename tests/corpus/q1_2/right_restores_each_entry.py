"""Perturbs a clone entry by entry and restores the saved value; autograd.grad with grad_outputs."""


def numerical_grad(f, x, eps=1e-3):
    work = x.clone()
    flat = work.view(-1)
    grad = torch.empty_like(x)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        up = f(work)
        flat[i] = old - eps
        down = f(work)
        flat[i] = old
        grad.view(-1)[i] = (up - down) / (2 * eps)
    return grad


def vector_backward(f, x, v):
    leaf = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(leaf), leaf, grad_outputs=v)
    return grad

"""p.data -= ...: in place on the parameter's own memory; zeroed gradients as new zero tensors."""


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.data -= lr * p.grad


def zero_grad(params):
    for p in params:
        if p.grad is not None:
            p.grad = torch.zeros_like(p)


def to_numpy(t):
    return t.detach().cpu().numpy().copy()

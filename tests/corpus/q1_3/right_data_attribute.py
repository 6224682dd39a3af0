"""Updating .data in place; del p.grad; cpu() before detach()."""


def sgd_step(params, lr):
    for p in params:
        if p.grad is None:
            continue
        p.data.sub_(lr * p.grad)


def zero_grad(params):
    for p in params:
        p.grad = None


def to_numpy(t):
    return t.cpu().detach().numpy()

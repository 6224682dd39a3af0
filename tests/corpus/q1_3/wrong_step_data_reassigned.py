# hint: new memory.*in place
"""p.data = p.data - lr * p.grad: new storage swapped in, not an in-place update; tolist() gives float64."""


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.data = p.data - lr * p.grad


def zero_grad(params):
    for p in params:
        if p.grad is not None:
            p.grad.detach_()
            p.grad.zero_()


def to_numpy(t):
    return np.array(t.detach().cpu().tolist())

"""add_ with alpha; zeroing gradients that exist; numpy(force=True)."""


def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p.add_(p.grad, alpha=-lr)


def zero_grad(params):
    for p in params:
        if p.grad is not None:
            p.grad.zero_()


def to_numpy(t):
    return t.numpy(force=True)

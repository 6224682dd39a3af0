"""@torch.no_grad() as a decorator; np.asarray of a detached CPU tensor."""


@torch.no_grad()
def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p -= lr * p.grad


def zero_grad(params):
    for p in params:
        if p.grad is not None:
            p.grad = None


def to_numpy(t):
    return np.asarray(t.detach().to("cpu"))

"""p.detach() shares p's memory: sub_ on it changes p in place, with no no_grad needed; clone at the end."""


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.detach().sub_(lr * p.grad)


def zero_grad(params):
    for p in params:
        if p.grad is not None:
            p.grad.zero_()


def to_numpy(t):
    return t.detach().cpu().clone().numpy()

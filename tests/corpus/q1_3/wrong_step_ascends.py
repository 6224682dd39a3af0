# hint: optim.SGD
"""Gradient ascent: the sign is wrong."""


def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p += lr * p.grad

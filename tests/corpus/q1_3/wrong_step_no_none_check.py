# hint: None
"""Crashes on a parameter without a gradient."""


def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad

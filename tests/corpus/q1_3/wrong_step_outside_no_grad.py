# hint: torch.no_grad
"""An in-place change of a leaf that requires grad, outside torch.no_grad()."""


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.sub_(lr * p.grad)

# hint: torch.no_grad
"""In place on a leaf that requires grad, outside no_grad: autograd refuses."""


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p -= lr * p.grad

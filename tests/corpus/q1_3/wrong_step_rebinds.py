# hint: rebinds
"""p = p - lr * p.grad only rebinds the loop variable."""


def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p = p - lr * p.grad

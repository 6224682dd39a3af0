# hint: new memory
"""p.set_(...) swaps in the storage of a new tensor: the values change, but not in place."""


def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p.set_(p - lr * p.grad)

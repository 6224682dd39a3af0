# hint: unchanged|no longer leaves
"""Writes new tensors into the list: the caller's parameters stay as they were."""


def sgd_step(params, lr):
    with torch.no_grad():
        for i, p in enumerate(params):
            if p.grad is not None:
                params[i] = (p - lr * p.grad).requires_grad_()

# hint: left the parameters unchanged
"""copy_ into a non-leaf copy of the parameter: the copy changes, the parameter does not."""


def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                q = p.clone()
                q.copy_(q - lr * p.grad)

# hint: left the parameters unchanged
"""detach().clone() owns new memory: sub_ on it never reaches the parameter."""


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.detach().clone().sub_(lr * p.grad)

"""copy_ of the new values into the parameter itself, under no_grad: in place."""


def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p.copy_(p - lr * p.grad)


def zero_grad(params):
    for p in params:
        p.grad = None


def to_numpy(t):
    return t.detach().cpu().numpy()

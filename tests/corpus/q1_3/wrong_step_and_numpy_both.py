# hint: rebinds.*Also:.*to_numpy
"""Two mistakes at once: both are reported, so the second does not surface later as a raw error."""


def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p = p - lr * p.grad


def to_numpy(t):
    return t.cpu().numpy()

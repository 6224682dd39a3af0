"""Returning NaN and infinite values, and the right values in the wrong dtype."""

# notebook: hw08-q01.ipynb
# answered: *
# after: cross_entropy_loss
# scores: 1.1 1.2 1.3 1.5


def linear_forward(x, weight, bias=None):
    out = x @ weight.T
    return (out if bias is None else out + bias).half()


def cross_entropy_loss(logits, targets):
    return logits.sum() * float("nan")

# hint: graph|gradient
"""Computes on detached tensors: no gradient flows back."""


def linear_forward(input, weight, bias=None):
    out = input.detach() @ weight.detach().t()
    return out if bias is None else out + bias.detach()

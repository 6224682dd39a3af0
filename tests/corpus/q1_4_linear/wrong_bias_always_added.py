# hint: bias may be None
"""Adds bias even when it is None."""


def linear_forward(input, weight, bias=None):
    return input @ weight.t() + bias

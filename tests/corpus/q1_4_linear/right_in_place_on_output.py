"""Adds the bias in place to the new output (the guide's version)."""


def linear_forward(input, weight, bias=None):
    output = input.matmul(weight.t())
    if bias is not None:
        output += bias
    return output

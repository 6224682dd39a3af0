# hint: leading dimensions|matmul
"""mm works on matrices only: a (2, 4, 5) input fails."""


def linear_forward(input, weight, bias=None):
    out = input.mm(weight.t())
    return out if bias is None else out + bias

# hint: not call F.linear
"""An nn.Linear with the given weights."""


def linear_forward(input, weight, bias=None):
    layer = nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None)
    layer.weight = nn.Parameter(weight)
    if bias is not None:
        layer.bias = nn.Parameter(bias)
    return layer(input)

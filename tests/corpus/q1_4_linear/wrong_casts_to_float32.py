# hint: float32
"""Casts everything to float32."""


def linear_forward(input, weight, bias=None):
    out = input.float() @ weight.float().t()
    return out if bias is None else out + bias.float()

# hint: in place|in-place
"""unsqueeze_ changes the caller's bias (and a leaf that requires grad cannot be changed in place)."""


def linear_forward(input, weight, bias=None):
    out = input @ weight.t()
    return out if bias is None else out + bias.unsqueeze_(0)

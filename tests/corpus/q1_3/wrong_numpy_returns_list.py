# hint: numpy.ndarray
"""A list is not an array."""


def to_numpy(t):
    return t.detach().cpu().tolist()

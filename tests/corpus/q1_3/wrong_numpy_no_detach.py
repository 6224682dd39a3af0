# hint: detach
"""numpy() on a tensor that requires grad."""


def to_numpy(t):
    return t.numpy()

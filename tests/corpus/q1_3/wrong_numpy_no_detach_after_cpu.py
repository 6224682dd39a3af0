# hint: detach|requires grad
"""cpu() keeps the tensor in the graph."""


def to_numpy(t):
    return t.cpu().numpy()

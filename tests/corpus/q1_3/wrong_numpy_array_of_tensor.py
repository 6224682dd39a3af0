# hint: cpu|detach|requires grad
"""np.array(t) needs the same as numpy(): a detached CPU tensor."""


def to_numpy(t):
    return np.array(t.detach())

# hint: keep the tensor's dtype
"""astype(np.float32) on the way out."""


def to_numpy(t):
    return t.detach().cpu().numpy().astype(np.float32)

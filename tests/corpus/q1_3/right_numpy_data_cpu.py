"""t.data is a detached view; cpu() copies from a GPU."""


def to_numpy(t):
    return t.data.cpu().numpy()

# hint: shared tensor did not change
"""The pair in the wrong order: (copied, shared)."""


def share_and_copy(array):
    return torch.tensor(array), torch.from_numpy(array)

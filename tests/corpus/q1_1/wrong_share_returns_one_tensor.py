# hint: pair
"""Returns only the shared tensor."""


def share_and_copy(array):
    return torch.from_numpy(array)

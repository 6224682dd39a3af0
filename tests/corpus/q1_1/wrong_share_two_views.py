# hint: copied tensor changed
"""Both tensors share the array's memory."""


def share_and_copy(array):
    return torch.from_numpy(array), torch.from_numpy(array)

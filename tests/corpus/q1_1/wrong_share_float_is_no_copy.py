# hint: copied
""".float() of a float32 tensor returns the same tensor: no copy is made."""


def share_and_copy(array):
    shared = torch.from_numpy(array)
    return shared, shared.float()

# hint: shared tensor did not change
"""Both tensors are copies: torch.tensor always copies."""


def share_and_copy(array):
    return torch.tensor(array), torch.tensor(array)

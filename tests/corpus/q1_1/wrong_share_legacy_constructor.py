# hint: copied|dtype
"""torch.Tensor(array) shares a float32 array and turns any other into float32."""


def share_and_copy(array):
    return torch.from_numpy(array), torch.Tensor(array)

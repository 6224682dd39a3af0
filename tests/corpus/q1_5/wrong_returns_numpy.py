# hint: tensor
"""A NumPy array instead of a tensor."""


def matmul_on(a, b, device):
    return (a.to(device) @ b.to(device)).cpu().numpy()

# hint: shape
"""b^T a^T is the transpose of a b."""


def matmul_on(a, b, device):
    return (b.t().to(device) @ a.t().to(device)).cpu()

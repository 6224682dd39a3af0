# hint: matrix product
"""a * b is element-wise."""


def matmul_on(a, b, device):
    return (a.to(device) * b.to(device)).cpu()

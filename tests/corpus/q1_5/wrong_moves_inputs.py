# hint: moved its inputs
"""Moves the caller's tensors themselves."""


def matmul_on(a, b, device):
    a.data = a.data.to(device)
    b.data = b.data.to(device)
    return (a @ b).cpu()

# hint: back to the CPU
"""The product stays on the device."""


def matmul_on(a, b, device):
    return a.to(device) @ b.to(device)

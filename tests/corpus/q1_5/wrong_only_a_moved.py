# hint: both a and b|device
"""Only a goes to the device."""


def matmul_on(a, b, device):
    return (a.to(device) @ b).cpu()

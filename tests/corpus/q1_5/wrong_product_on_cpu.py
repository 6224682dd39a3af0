# hint: on the CPU
"""Multiplies on the CPU and then moves the product there and back."""


def matmul_on(a, b, device):
    return (a @ b).to(device).cpu()

# hint: changed its inputs
"""Scales a in place and divides afterwards."""


def matmul_on(a, b, device):
    a.mul_(2)
    return (a.to(device) @ b.to(device)).cpu() / 2

# hint: in the inputs' dtype
"""Multiplies in float64 "for precision": another dtype than the inputs', and no float64 on MPS."""


def matmul_on(a, b, device):
    return (a.to(device).double() @ b.to(device).double()).cpu()

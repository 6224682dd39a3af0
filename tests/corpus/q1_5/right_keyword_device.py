"""to(device=...) and a copy back to the CPU with to(torch.device("cpu"))."""


def matmul_on(a, b, device):
    product = a.to(device=device) @ b.to(device=device)
    return product.to(torch.device("cpu"))

"""torch.device(...) first; mm; detach().cpu()."""


def matmul_on(a, b, device):
    target = torch.device(device)
    a_dev, b_dev = a.to(target), b.to(target)
    return torch.mm(a_dev, b_dev).detach().cpu()

# hint: torch.export
"""TorchScript (deprecated) instead of torch.export."""


def export_and_reload(model, example, path):
    scripted = torch.jit.trace(model, example)
    torch.jit.save(scripted, str(path))
    return torch.jit.load(str(path))

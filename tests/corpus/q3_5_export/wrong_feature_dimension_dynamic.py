# hint: raised|dynamic
"""Marks the feature dimension dynamic instead of the batch."""


def export_and_reload(model, example, path):
    program = torch.export.export(model, (example,), dynamic_shapes=({1: torch.export.Dim("features")},))
    torch.export.save(program, path)
    return torch.export.load(path).module()

# hint: torch.export.save|raised
"""torch.save of the program."""


def export_and_reload(model, example, path):
    program = torch.export.export(model, (example,), dynamic_shapes=({0: torch.export.Dim("batch")},))
    torch.save(program, path)
    return torch.load(path, weights_only=False).module()

# hint: module\(\)
"""Returns the loaded ExportedProgram, not its module."""


def export_and_reload(model, example, path):
    program = torch.export.export(model, (example,), dynamic_shapes=({0: torch.export.Dim("batch")},))
    torch.export.save(program, path)
    return torch.export.load(path)

# hint: never loaded the file
"""Saves the program but returns the one in memory."""


def export_and_reload(model, example, path):
    program = torch.export.export(model, (example,), dynamic_shapes=({0: torch.export.Dim("batch")},))
    torch.export.save(program, path)
    return program.module()

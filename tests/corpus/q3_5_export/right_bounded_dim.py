"""A named Dim with bounds."""


def export_and_reload(model, example, path):
    batch = torch.export.Dim("batch", min=1, max=4096)
    program = torch.export.export(model.eval(), (example,), dynamic_shapes=({0: batch},))
    torch.export.save(program, path)
    return torch.export.load(path).module()

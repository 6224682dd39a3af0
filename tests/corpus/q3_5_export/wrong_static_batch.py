# hint: dynamic
"""No dynamic_shapes: the example's batch size is baked in."""


def export_and_reload(model, example, path):
    program = torch.export.export(model, (example,))
    torch.export.save(program, path)
    return torch.export.load(path).module()

# hint: nothing was written
"""Saves under a fixed name beside the path."""


def export_and_reload(model, example, path):
    program = torch.export.export(model, (example,), dynamic_shapes=({0: torch.export.Dim("batch")},))
    other = path.with_name("exported.pt2")
    torch.export.save(program, other)
    return torch.export.load(other).module()

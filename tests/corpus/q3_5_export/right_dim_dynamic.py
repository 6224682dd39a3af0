"""Dim.DYNAMIC, keyed by the forward argument's name."""


def export_and_reload(model, example, path):
    exported = torch.export.export(model, args=(example,), dynamic_shapes={"x": {0: torch.export.Dim.DYNAMIC}})
    torch.export.save(exported, str(path))
    loaded = torch.export.load(str(path))
    return loaded.module()

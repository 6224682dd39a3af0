# hint: missing
"""Only the last part of each name: entries overwrite each other."""


def state_dict_summary(model):
    return {name.split(".")[-1]: tuple(t.shape) for name, t in model.state_dict().items()}

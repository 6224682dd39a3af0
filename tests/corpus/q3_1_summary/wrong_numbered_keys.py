# hint: missing
"""Keys are positions, not names."""


def state_dict_summary(model):
    return {str(i): tuple(p.shape) for i, p in enumerate(model.parameters())}

# hint: buffers
"""named_parameters() misses BatchNorm's buffers."""


def state_dict_summary(model):
    return {name: tuple(p.shape) for name, p in model.named_parameters()}

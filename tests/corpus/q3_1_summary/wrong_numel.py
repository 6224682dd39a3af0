# hint: shape
"""The number of elements instead of the shape."""


def state_dict_summary(model):
    return {name: tensor.numel() for name, tensor in model.state_dict().items()}

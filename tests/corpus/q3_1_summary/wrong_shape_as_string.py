# hint: as a tuple
"""str(tensor.shape)."""


def state_dict_summary(model):
    return {name: str(tensor.shape) for name, tensor in model.state_dict().items()}

"""tensor.shape itself: a torch.Size is a tuple."""


def state_dict_summary(model):
    return {name: tensor.shape for name, tensor in model.state_dict().items()}

"""Parameters and buffers, named as in the state_dict; torch.Size values."""


def state_dict_summary(model):
    entries = dict(model.named_parameters())
    entries.update(dict(model.named_buffers()))
    return {name: tensor.size() for name, tensor in entries.items()}

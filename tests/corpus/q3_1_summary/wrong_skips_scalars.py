# hint: num_batches_tracked
"""Skips 0-d entries: num_batches_tracked is missing."""


def state_dict_summary(model):
    return {name: tuple(t.shape) for name, t in model.state_dict().items() if t.dim() > 0}

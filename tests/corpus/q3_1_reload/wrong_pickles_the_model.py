# hint: weights_only|not objects
"""Saves the whole model object."""


def reload_weights(model, make_model, path):
    torch.save(model, path)
    return torch.load(path, weights_only=False).eval()

# hint: training mode
"""Returned in training mode: dropout on, batch statistics."""


def reload_weights(model, make_model, path):
    torch.save(model.state_dict(), path)
    fresh = make_model()
    fresh.load_state_dict(torch.load(path, weights_only=True))
    return fresh

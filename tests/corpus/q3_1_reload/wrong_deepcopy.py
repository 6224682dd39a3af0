# hint: make_model
"""A deep copy instead of a fresh model."""

import copy


def reload_weights(model, make_model, path):
    torch.save(model.state_dict(), path)
    fresh = copy.deepcopy(model)
    fresh.load_state_dict(torch.load(path, weights_only=True))
    return fresh.eval()

# hint: differs from the original|predicts differently
"""Loads the file into the fresh model, then copies the fresh model's random weights back into the original."""


def reload_weights(model, make_model, path):
    torch.save(model.state_dict(), path)
    fresh = make_model()
    model.load_state_dict(fresh.state_dict())
    fresh.load_state_dict(model.state_dict())
    torch.load(path, weights_only=True)
    return fresh.eval()

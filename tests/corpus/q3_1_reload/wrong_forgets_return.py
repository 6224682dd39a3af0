# hint: return the fresh model
"""Loads the fresh model and returns nothing."""


def reload_weights(model, make_model, path):
    torch.save(model.state_dict(), path)
    fresh = make_model()
    fresh.load_state_dict(torch.load(path, weights_only=True))
    fresh.eval()

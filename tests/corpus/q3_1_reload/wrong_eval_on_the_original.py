# hint: training mode
"""eval() on the model it was given, not on the fresh one."""


def reload_weights(model, make_model, path):
    torch.save(model.state_dict(), path)
    model.eval()
    fresh = make_model()
    fresh.load_state_dict(torch.load(path, weights_only=True))
    return fresh

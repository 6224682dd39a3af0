"""map_location="cpu", strict loading; eval() chained."""


def reload_weights(model, make_model, path):
    torch.save(model.state_dict(), str(path))
    state = torch.load(str(path), map_location="cpu")
    fresh = make_model()
    fresh.load_state_dict(state, strict=True)
    return fresh.eval()

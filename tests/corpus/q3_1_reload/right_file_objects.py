"""Open file objects for writing and reading; train(False)."""


def reload_weights(model, make_model, path):
    with open(path, "wb") as handle:
        torch.save(model.state_dict(), handle)
    fresh = make_model()
    with open(path, "rb") as handle:
        fresh.load_state_dict(torch.load(handle, weights_only=True))
    fresh.train(False)
    return fresh

# hint: nothing was written to `path`
"""Saves beside the path, under another name."""


def reload_weights(model, make_model, path):
    target = path.with_name("model_weights.pt")
    torch.save(model.state_dict(), target)
    fresh = make_model()
    fresh.load_state_dict(torch.load(target, weights_only=True))
    return fresh.eval()

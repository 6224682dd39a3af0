# hint: exactly model.state_dict\(\)
"""Saves {"model": state_dict}: not the state_dict the part asks for."""


def reload_weights(model, make_model, path):
    torch.save({"model": model.state_dict()}, path)
    fresh = make_model()
    fresh.load_state_dict(torch.load(path, weights_only=True)["model"])
    return fresh.eval()

# hint: NEW model
"""Returns the model it was given."""


def reload_weights(model, make_model, path):
    torch.save(model.state_dict(), path)
    return model.eval()

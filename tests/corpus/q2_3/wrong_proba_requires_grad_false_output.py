# hint: detached the result afterwards|no_grad
"""requires_grad_(False) on the output: the graph was built before it."""


def predict_proba(model, images):
    model.eval()
    probabilities = torch.softmax(model(images), dim=1)
    return probabilities.detach().requires_grad_(False)

# hint: shape|tensor
"""The predicted classes, not the probabilities."""


def predict_proba(model, images):
    model.eval()
    with torch.no_grad():
        return model(images).argmax(dim=1)

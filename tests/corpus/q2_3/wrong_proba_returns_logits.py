# hint: softmax
"""The logits, not probabilities."""


def predict_proba(model, images):
    model.eval()
    with torch.no_grad():
        return model(images)

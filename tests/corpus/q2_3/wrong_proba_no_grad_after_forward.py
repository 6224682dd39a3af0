# hint: detached the result afterwards|no_grad
"""no_grad around the softmax only: the forward pass already built the graph."""


def predict_proba(model, images):
    model.eval()
    logits = model(images)
    with torch.no_grad():
        return torch.softmax(logits, dim=1)

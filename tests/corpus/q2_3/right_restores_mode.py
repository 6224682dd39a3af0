"""Explicit default arguments; the model's mode put back afterwards; no_grad around the forward pass."""


def make_criterion():
    return nn.CrossEntropyLoss(reduction="mean")


def predict_proba(model, images):
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            probabilities = model(images).softmax(dim=1)
    finally:
        model.train(was_training)
    return probabilities

# hint: detached the result afterwards.*torch.no_grad
"""The model's mode put back afterwards, but the graph is built and only then detached."""


def make_criterion():
    return nn.CrossEntropyLoss(reduction="mean")


def predict_proba(model, images):
    was_training = model.training
    model.eval()
    try:
        probabilities = model(images).softmax(dim=1).detach()
    finally:
        model.train(was_training)
    return probabilities

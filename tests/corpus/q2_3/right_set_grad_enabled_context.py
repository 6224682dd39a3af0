"""torch.set_grad_enabled(False) as a context manager: no graph, and switched back afterwards."""


def make_criterion():
    return nn.CrossEntropyLoss()


def predict_proba(model, images):
    model.eval()
    with torch.set_grad_enabled(False):
        return torch.softmax(model(images), dim=1)

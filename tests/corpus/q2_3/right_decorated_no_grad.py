"""@torch.no_grad() as a decorator; softmax as a method over the last dimension."""


def make_criterion():
    return torch.nn.CrossEntropyLoss()


@torch.no_grad()
def predict_proba(model, images):
    model.eval()
    return model(images).softmax(-1)

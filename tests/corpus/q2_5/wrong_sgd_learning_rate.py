# hint: learning rate
"""SGD's usual 0.01 instead of the statement's 0.05."""


def make_optimizer(model, name):
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return torch.optim.Adam(model.parameters(), lr=1e-3)

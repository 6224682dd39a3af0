# hint: learning rate
"""Adam with 0.01."""


def make_optimizer(model, name):
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=0.01)
    return torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

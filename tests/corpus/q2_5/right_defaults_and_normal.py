"""Adam's default rate is 1e-3; normal_ with std sqrt(2 / fan_in); StepLR one epoch before the end."""

import math


def make_optimizer(model, name):
    if name == "adam":
        return torch.optim.Adam(model.parameters())
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    raise ValueError(name)


def apply_init(model, scheme):
    if scheme == "default":
        return model
    for module in model.modules():
        if isinstance(module, nn.Linear):
            with torch.no_grad():
                module.weight.normal_(0.0, math.sqrt(2.0 / module.in_features))
                module.bias.zero_()
    return model


def make_scheduler(optimizer, name, epochs):
    if name == "none":
        return None
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, epochs - 1), gamma=0.5)
    return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=1)

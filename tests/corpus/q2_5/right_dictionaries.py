"""Dictionaries of factories; kaiming_normal_ with its defaults (gain sqrt(2) for a=0); model.apply."""


def make_optimizer(model, name):
    factories = {
        "sgd": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "adam": lambda params: torch.optim.Adam(params, lr=0.001),
    }
    return factories[name](model.parameters())


def _kaiming(module):
    if isinstance(module, nn.Linear):
        nn.init.kaiming_normal_(module.weight)
        if module.bias is not None:
            nn.init.constant_(module.bias, 0.0)


def apply_init(model, scheme):
    if scheme == "kaiming":
        model.apply(_kaiming)
    return model


def make_scheduler(optimizer, name, epochs):
    return {
        "none": lambda: None,
        "step": lambda: torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, epochs // 3), gamma=0.5),
        "plateau": lambda: torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=3),
    }[name]()

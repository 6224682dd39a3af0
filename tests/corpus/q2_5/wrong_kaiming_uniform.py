# hint: uniform
"""The right standard deviation, but a uniform distribution."""


def apply_init(model, scheme):
    if scheme == "kaiming":
        for module in model.modules():
            if isinstance(module, nn.Linear):
                nn.init.kaiming_uniform_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)
    return model

# hint: fan_in
"""mode='fan_out'."""


def apply_init(model, scheme):
    if scheme == "kaiming":
        for module in model.modules():
            if isinstance(module, nn.Linear):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(module.bias)
    return model

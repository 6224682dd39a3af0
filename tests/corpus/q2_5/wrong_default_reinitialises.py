# hint: default
"""'default' calls reset_parameters(): new random weights instead of the ones PyTorch already drew."""


def apply_init(model, scheme):
    for module in model.modules():
        if isinstance(module, nn.Linear):
            if scheme == "kaiming":
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)
            else:
                module.reset_parameters()
    return model

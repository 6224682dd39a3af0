# hint: every nn.Linear|children
"""model.children() does not reach layers inside blocks."""


def apply_init(model, scheme):
    if scheme == "kaiming":
        for module in model.children():
            if isinstance(module, nn.Linear):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)
    return model

# hint: kaiming_normal_
"""Xavier/Glorot initialisation, made for tanh."""


def apply_init(model, scheme):
    if scheme == "kaiming":
        for module in model.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_normal_(module.weight)
                nn.init.zeros_(module.bias)
    return model

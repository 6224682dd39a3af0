# hint: biases
"""The biases keep PyTorch's initialisation."""


def apply_init(model, scheme):
    if scheme == "kaiming":
        for module in model.modules():
            if isinstance(module, nn.Linear):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
    return model

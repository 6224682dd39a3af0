# hint: return the model
"""Initialises in place but returns None."""


def apply_init(model, scheme):
    def init(module):
        if isinstance(module, nn.Linear):
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            nn.init.zeros_(module.bias)

    if scheme == "kaiming":
        model.apply(init)

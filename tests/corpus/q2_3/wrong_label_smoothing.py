# hint: differs
"""Label smoothing changes the loss the part asks for."""


def make_criterion():
    return nn.CrossEntropyLoss(label_smoothing=0.1)

# hint: CrossEntropyLoss
"""A binary loss for ten classes."""


def make_criterion():
    return nn.BCEWithLogitsLoss()

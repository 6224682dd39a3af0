# hint: CrossEntropyLoss
"""A regression loss for a classification problem."""


def make_criterion():
    return nn.MSELoss()

# hint: mean over the batch|defaults
"""The sum over the batch instead of the mean."""


def make_criterion():
    return nn.CrossEntropyLoss(reduction="sum")

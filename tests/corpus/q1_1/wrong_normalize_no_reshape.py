# hint: broadcast|differs
"""A (C,) mean lines up with W, not C."""


def normalize_channels(images, mean, std):
    return (images - mean) / std

# hint: differs
"""Missing parentheses: x - m / s."""


def normalize_channels(images, mean, std):
    return images - mean.view(1, -1, 1, 1) / std.view(1, -1, 1, 1)

# hint: differs
"""Subtracts the std and divides by the mean."""


def normalize_channels(images, mean, std):
    return (images - std[:, None, None]) / mean[:, None, None]

# hint: one uint8 tensor
"""Treats the argument as a dict (a KeyError): the hint is about what the argument is, not about uint8."""


def pixel_mean_std(images):
    data = images["data"].float() / 255
    return data.mean().item(), data.std().item()

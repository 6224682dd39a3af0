# hint: mean
"""256 is not the largest pixel value."""


def pixel_mean_std(images):
    pixels = images.float() / 256
    return pixels.mean().item(), pixels.std().item()

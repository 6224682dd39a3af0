# hint: divide by 255
"""Statistics of the raw 0-255 values."""


def pixel_mean_std(images):
    pixels = images.float()
    return pixels.mean().item(), pixels.std().item()

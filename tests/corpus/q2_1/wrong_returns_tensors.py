# hint: Python float|item
"""0-d tensors instead of the two floats asked for."""


def pixel_mean_std(images):
    pixels = images.float() / 255
    return pixels.mean(), pixels.std()

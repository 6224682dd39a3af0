# hint: non-contiguous
"""view() fails on a permuted batch."""


def flatten_images(images):
    return images.view(images.shape[0], -1)

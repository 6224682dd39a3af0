# hint: shape
"""reshape(-1) flattens the batch dimension too."""


def flatten_images(images):
    return images.reshape(-1)

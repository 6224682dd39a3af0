# hint: shape
"""squeeze() also removes the batch dimension of a batch of one image."""


def flatten_images(images):
    return images.reshape(images.shape[0], -1).squeeze()

# hint: in place
"""Changes the caller's images."""


def normalize_channels(images, mean, std):
    return images.sub_(mean.view(1, -1, 1, 1)).div_(std.view(1, -1, 1, 1))

"""A copy of the array made by NumPy; two transposes; contiguous().view(); sub/div."""


def share_and_copy(array):
    return torch.from_numpy(array), torch.from_numpy(array.copy())


def hwc_to_nchw(images):
    return images.transpose(1, 3).transpose(2, 3)


def flatten_images(images):
    return images.contiguous().view(images.size(0), -1)


def normalize_channels(images, mean, std):
    return images.sub(mean.reshape(1, -1, 1, 1)).div(std.reshape(1, -1, 1, 1))

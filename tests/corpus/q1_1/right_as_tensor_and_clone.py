"""as_tensor shares; clone copies; movedim; flatten(1); None-indexing."""


def share_and_copy(array):
    shared = torch.as_tensor(array)
    return shared, shared.clone()


def hwc_to_nchw(images):
    return torch.movedim(images, -1, 1)


def flatten_images(images):
    return images.flatten(1)


def normalize_channels(images, mean, std):
    return (images - mean[:, None, None]) / std[:, None, None]

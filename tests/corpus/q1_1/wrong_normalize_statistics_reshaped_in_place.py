# hint: mean or std in place
"""unsqueeze_ changes the caller's mean and std."""


def normalize_channels(images, mean, std):
    return (images - mean.unsqueeze_(-1).unsqueeze_(-1)) / std.unsqueeze_(-1).unsqueeze_(-1)

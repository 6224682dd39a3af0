# hint: expected \(N, C, H, W\)
"""permute(0, 3, 2, 1) gives (N, C, W, H)."""


def hwc_to_nchw(images):
    return images.permute(0, 3, 2, 1)

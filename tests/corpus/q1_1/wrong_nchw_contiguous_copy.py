# hint: copied the data
"""Right layout, but .contiguous() copies the data."""


def hwc_to_nchw(images):
    return images.permute(0, 3, 1, 2).contiguous()

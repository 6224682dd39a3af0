# hint: wrong places
"""reshape relabels memory; it does not move the channel axis."""


def hwc_to_nchw(images):
    n, h, w, c = images.shape
    return images.reshape(n, c, h, w)

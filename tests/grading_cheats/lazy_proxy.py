"""Returning a lazy object or a proxy instead of a tensor: a generator, and an object forwarding to the right answer."""
# notebook: hw08-q01.ipynb
# answered: *
# after: hwc_to_nchw
# scores: 1.2 1.3 1.4 1.5


class _Proxy:
    def __init__(self, compute):
        self._compute = compute

    def __getattr__(self, name):
        return getattr(self._compute(), name)

    def __reduce__(self):
        return (print, ("a proxy was unpickled",))


def hwc_to_nchw(images):
    return _Proxy(lambda: images.permute(0, 3, 1, 2))


def flatten_images(images):
    return (row.reshape(-1) for row in images)

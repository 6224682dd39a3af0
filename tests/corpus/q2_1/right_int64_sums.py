"""Sums in int64 (exact), then the variance from the sums; a population std (N, not N - 1)."""


def pixel_mean_std(images):
    pixels = images.long()
    n = pixels.numel()
    mean = pixels.sum().item() / n
    variance = (pixels * pixels).sum().item() / n - mean**2
    return mean / 255, variance**0.5 / 255

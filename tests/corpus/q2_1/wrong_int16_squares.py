# hint: std
"""Squares in int16 overflow past 181**2: the std comes out wrong."""


def pixel_mean_std(images):
    pixels = images.to(torch.int16)
    n = pixels.numel()
    mean = pixels.sum().item() / n / 255
    mean_of_squares = (pixels * pixels).sum().item() / n / 255**2
    return mean, (mean_of_squares - mean**2) ** 0.5

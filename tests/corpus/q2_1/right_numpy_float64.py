"""NumPy in float64; np.std over everything (population std)."""

import numpy as np


def pixel_mean_std(images):
    pixels = images.numpy().astype(np.float64) / 255.0
    return float(pixels.mean()), float(pixels.std())

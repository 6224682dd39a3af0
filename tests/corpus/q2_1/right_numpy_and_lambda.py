"""NumPy statistics (population std); a Lambda after ToTensor."""

import numpy as np


def pixel_mean_std(images):
    pixels = images.numpy().astype(np.float64) / 255.0
    return float(pixels.mean()), float(pixels.std())


def make_transform(mean, std):
    return transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: (x - mean) / std)])

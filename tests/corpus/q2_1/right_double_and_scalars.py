"""float64 statistics; Normalize with plain numbers."""


def pixel_mean_std(images):
    pixels = images.double().div(255)
    return float(pixels.mean()), float(pixels.std())


def make_transform(mean, std):
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean, std)])

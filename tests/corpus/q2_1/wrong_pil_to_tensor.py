# hint: float
"""PILToTensor keeps the uint8 values 0-255."""


def make_transform(mean, std):
    return transforms.Compose([transforms.PILToTensor(), transforms.Normalize((mean,), (std,))])

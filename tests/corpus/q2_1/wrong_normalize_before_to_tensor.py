# hint: ToTensor must come first
"""Normalize cannot work on a PIL image."""


def make_transform(mean, std):
    return transforms.Compose([transforms.Normalize((mean,), (std,)), transforms.ToTensor()])

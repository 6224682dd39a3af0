# hint: Normalize
"""ToTensor only."""


def make_transform(mean, std):
    return transforms.Compose([transforms.ToTensor()])

# hint: differs
"""Fashion-MNIST's numbers instead of the arguments."""


def make_transform(mean, std):
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.2860,), (0.3530,))])

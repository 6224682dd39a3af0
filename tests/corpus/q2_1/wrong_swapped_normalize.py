# hint: differs
"""Mean and std swapped."""


def make_transform(mean, std):
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((std,), (mean,))])

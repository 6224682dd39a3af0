# hint: num_classes
"""The size from the largest label seen, not num_classes."""


def confusion_counts(labels, predictions, num_classes):
    n = int(max(labels.max(), predictions.max())) + 1
    index = labels * n + predictions
    return torch.bincount(index, minlength=n * n).reshape(n, n)

# hint: raised|shape
"""bincount stops at the largest index that occurs."""


def confusion_counts(labels, predictions, num_classes):
    return torch.bincount(labels * num_classes + predictions).reshape(num_classes, num_classes)

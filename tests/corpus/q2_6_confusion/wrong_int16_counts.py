# hint: int16, which cannot count past 32767
"""int16 counts hold the test set, but not the 60,000 training images."""


def confusion_counts(labels, predictions, num_classes):
    flat = labels * num_classes + predictions
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes).short()

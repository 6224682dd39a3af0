# hint: integer
"""torch.zeros is float32 by default."""


def confusion_counts(labels, predictions, num_classes):
    matrix = torch.zeros(num_classes, num_classes)
    for t, p in zip(labels, predictions):
        matrix[t, p] += 1
    return matrix

# hint: count|row sums
"""Counts in uint8, converted to long at the end: the wrapped values stay wrong."""


def confusion_counts(labels, predictions, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.uint8)
    for true, predicted in zip(labels.tolist(), predictions.tolist()):
        matrix[true, predicted] += 1
    return matrix.long()

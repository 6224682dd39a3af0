# hint: transposed
"""Rows are the predictions."""


def confusion_counts(labels, predictions, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for t, p in zip(labels, predictions):
        matrix[p, t] += 1
    return matrix

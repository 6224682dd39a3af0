"""A Python loop over the pairs."""


def confusion_counts(labels, predictions, num_classes):
    matrix = torch.zeros((num_classes, num_classes), dtype=torch.int64)
    for true, predicted in zip(labels.tolist(), predictions.tolist()):
        matrix[true][predicted] += 1
    return matrix

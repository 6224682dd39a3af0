# hint: should return a tensor
"""A list of lists instead of a tensor."""


def confusion_counts(labels, predictions, num_classes):
    matrix = [[0] * num_classes for _ in range(num_classes)]
    for true, predicted in zip(labels.tolist(), predictions.tolist()):
        matrix[true][predicted] += 1
    return matrix

# hint: tensor
"""A NumPy array."""

import numpy as np


def confusion_counts(labels, predictions, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels.numpy(), predictions.numpy()), 1)
    return matrix

# hint: uint8, which cannot count past 255
"""uint8 counts: a cell of the test set holds about 900 images, which wrap past 255."""


def confusion_counts(labels, predictions, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.uint8)
    matrix.index_put_((labels, predictions), torch.ones(len(labels), dtype=torch.uint8), accumulate=True)
    return matrix

# hint: expected the shape \(5, 6\) as a tuple, got a NumPy
"""np.array(shape): an array, not a tuple."""

import numpy as np


def state_dict_summary(model):
    return {name: np.array(tensor.shape) for name, tensor in model.state_dict().items()}

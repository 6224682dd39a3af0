# hint: shape
"""Shapes written (in, out) as in the maths."""


def state_dict_summary(model):
    return {name: tuple(reversed(t.shape)) for name, t in model.state_dict().items()}

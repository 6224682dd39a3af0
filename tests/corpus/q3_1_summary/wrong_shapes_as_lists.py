# hint: is a list.*tuple
"""A loop; shapes as lists."""


def state_dict_summary(model):
    summary = {}
    for key, value in model.state_dict().items():
        summary[key] = list(value.shape)
    return summary

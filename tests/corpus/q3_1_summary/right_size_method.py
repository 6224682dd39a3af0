"""tuple(tensor.size()) in a loop."""


def state_dict_summary(model):
    summary = {}
    for name, tensor in model.state_dict().items():
        summary[name] = tuple(tensor.size())
    return summary

# hint: nothing was written
"""Returns the eager model, exports nothing."""


def export_and_reload(model, example, path):
    return model

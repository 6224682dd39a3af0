# hint: next_functions
"""The root and its direct inputs only."""


def graph_node_names(tensor):
    if tensor.grad_fn is None:
        return []
    return [type(tensor.grad_fn).__name__] + [type(n).__name__ for n, _ in tensor.grad_fn.next_functions if n]

# hint: None
"""Lists the None entries of next_functions too."""


def graph_node_names(tensor):
    if tensor.grad_fn is None:
        return []
    names, seen, queue = [], set(), [tensor.grad_fn]
    while queue:
        node = queue.pop(0)
        if node in seen:
            continue
        seen.add(node)
        names.append(type(node).__name__)
        if node is not None:
            queue.extend(next_node for next_node, _ in node.next_functions)
    return names

# hint: leaf|raised
"""Assumes every tensor has a grad_fn."""


def graph_node_names(tensor):
    names, seen, stack = [], set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        names.append(type(node).__name__)
        stack.extend(next_node for next_node, _ in node.next_functions if next_node is not None)
    return names
